#!/bin/sh
# tests/peers/install.sh: installs every interop peer of tests/peers/README:
# the Debian packages through scripts/deps.sh (python3-aiosmtpd, swaks,
# postfix with its daemon kept stopped), then Exim, extracted into
# build/peers/exim by exim.sh (the exim4 packages would remove postfix).
# Idempotent and quick when all is there; not as root, says what is
# missing and exits 1. `make test` runs it.
set -u
here=$(dirname "$0")
sh "$here/../../scripts/deps.sh" && sh "$here/exim.sh" install
