/*
 * mailwire/mailwire.h: the umbrella header of mailwire, an SMTP protocol
 * engine whose parsers are generated from the RFCs' ABNF. The core is pure:
 * no I/O, no clock, no allocation; the caller owns every byte.
 */
#ifndef MAILWIRE_MAILWIRE_H
#define MAILWIRE_MAILWIRE_H

#include <mailwire/error.h>
#include <mailwire/span.h>
#include <mailwire/esc.h>
#include <mailwire/xtext.h>
#include <mailwire/command.h>
#include <mailwire/reply.h>
#include <mailwire/data.h>
#include <mailwire/base64.h>
#include <mailwire/mech.h>
#include <mailwire/crypto.h>
#include <mailwire/sasl.h>

#define MW_VERSION "0.1.0"

/* The library's version, MW_VERSION of the build it came from. */
const char	*mw_version(void);

#endif
