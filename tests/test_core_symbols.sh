#!/bin/sh
# tests/test_core_symbols.sh CORE.a BAD.a: the core archive references no
# allocation, stdio, file or socket I/O, clock, process exit, or crypto
# library (OpenSSL's names). BAD.a
# calls malloc and must be caught, so this check is known to work.
set -u
core=$1
bad=$2
forbidden='malloc calloc realloc reallocarray free aligned_alloc posix_memalign
strdup strndup fopen fdopen fclose fread fwrite fprintf printf vfprintf puts
fputs putchar fputc fgets perror open openat close read write pread pwrite
readv writev send sendto sendmsg recv recvfrom recvmsg socket connect accept
poll select epoll_wait time clock_gettime gettimeofday clock localtime gmtime
exit _exit abort'

check() {	# check ARCHIVE: prints the forbidden symbols it references
	nm -u "$1" 2>/dev/null | awk 'NF == 2 {print $2}' | sed 's/@.*//' | sort -u |
	while read -r sym; do
		for f in $forbidden; do
			[ "$sym" = "$f" ] && echo "$sym"
		done
		# crypto comes through struct mw_crypto, never from a library
		case $sym in
		EVP_*|HMAC*|RAND_*|PKCS5_*|SSL_*|OPENSSL_*|CRYPTO_*|ERR_*|MD5*|SHA1*|SHA256*)
			echo "$sym" ;;
		esac
	done
}

if [ ! -f "$core" ]; then
	echo "not ok - $core does not exist"
	exit 1
fi
n=$(nm -u "$core" | awk 'NF == 2 {print $2}' | sort -u | wc -l)
bad_syms=$(check "$core" | tr '\n' ' ')
if [ -z "$bad_syms" ]; then
	echo "ok - $core references no allocation, I/O or clock ($n undefined symbols checked)"
else
	echo "not ok - $core references: $bad_syms"
fi
if check "$bad" | grep -q '^malloc$'; then
	echo "ok - the symbol check catches malloc in an archive that calls it"
else
	echo "not ok - the symbol check missed malloc in $bad"
fi
if check "$bad" | grep -q '^EVP_sha256$'; then
	echo "ok - the symbol check catches an OpenSSL call (EVP_sha256)"
else
	echo "not ok - the symbol check missed EVP_sha256 in $bad"
fi
