/*
 * tests/sasl_peer.c: one of mailwire's SASL machines (mailwire/sasl.h),
 * client or server, on stdin and stdout in the line format of GNU SASL's
 * command-line tool run without a network connection (`gsasl --client`,
 * `gsasl --server`), so that tests/test_gsasl.sh can set it against gsasl.
 *
 * The format, as gsasl 2.2's src/gsasl.c writes and reads it:
 *  - the first line out is the mechanism's name;
 *  - then each side alternates: it writes its output as one line of
 *    base64 (an empty line for an empty output) and reads one line from
 *    its peer;
 *  - the server writes first: its first challenge, an empty line for a
 *    mechanism where the client speaks first. The client writes first too
 *    unless --no-client-first: its initial response, or an empty line for
 *    a mechanism where the server speaks first (--client-first tells our
 *    server to expect that, reading the client's first line as the
 *    initial response of "AUTH mech ir", an empty one as no response);
 *  - after its last step a side writes its final output (the server: an
 *    empty line, standing for 235) and reads one more line before it
 *    stops; a client that meets the end of its input there was not
 *    accepted (gsasl exits 1 there too);
 *  - failure writes nothing more to stdout: a message goes to stderr and
 *    the exit status is 1. Success is exit status 0.
 *
 * The machines run at the wire level of RFC 4954 (mw_sasl_server_auth,
 * mw_sasl_server_line, mw_sasl_client_auth_line, mw_sasl_client_reply334),
 * since gsasl's lines are the base64 texts of SMTP's 334 exchange; only
 * the initial response of --no-client-first, which SMTP would send in the
 * AUTH command, comes from mw_sasl_client_initial. Crypto is libcrypto's
 * (mw_crypto_openssl).
 *
 * A test program, not part of the core: it uses stdio.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mailwire/base64.h>
#include <mailwire/crypto_openssl.h>
#include <mailwire/sasl.h>

/* gsasl's default SCRAM iteration count is 65536 (its --help); RFC 7677 4
 * asks for at least 4096, which keeps the tests fast */
#define DEFAULT_ITERATIONS	4096
#define DEFAULT_SALT		"mailwire-peer-salt"

struct opts {
	int		 server;
	const char	*mech;
	const char	*authcid;
	const char	*authzid;
	const char	*password;
	const char	*token;
	const char	*realm;
	const char	*service;
	const char	*hostname;
	unsigned	 port;
	int		 no_client_first;	/* client: read first */
	int		 client_first;		/* server: read the initial
						 * response first */
	const char	*external;		/* server: the TLS identity */
	unsigned	 iterations;
	const char	*salt;			/* base64 */
	int		 scram_only;		/* server: store no password */
	int		 quiet;
};

static int quiet;

static void
note(const char *s)
{
	if (!quiet)
		fprintf(stderr, "%s\n", s);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: sasl_peer (-c | -s) -m MECH [-a AUTHCID] [-z AUTHZID]\n"
	    "    [-p PASSWORD] [--token TOKEN] [-r REALM] [--service NAME]\n"
	    "    [--hostname HOST] [--port N] [--no-client-first]\n"
	    "    [--client-first] [--external-id ID] [--iteration-count N]\n"
	    "    [--salt BASE64] [--scram-only] [--quiet]\n");
	exit(2);
}

/* --name=value, --name value, -x value */
static const char *
optval(int argc, char **argv, int *i, const char *shortname,
    const char *longname)
{
	const char *a = argv[*i];
	size_t n = strlen(longname);

	if ((shortname != NULL && strcmp(a, shortname) == 0) ||
	    strcmp(a, longname) == 0) {
		if (*i + 1 >= argc)
			usage();
		return argv[++*i];
	}
	if (strncmp(a, longname, n) == 0 && a[n] == '=')
		return a + n + 1;
	return NULL;
}

static unsigned
number(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > 0xffffffffUL)
		usage();
	return (unsigned)v;
}

static void
parse(int argc, char **argv, struct opts *o)
{
	const char *v;

	memset(o, 0, sizeof(*o));
	o->server = -1;
	o->iterations = DEFAULT_ITERATIONS;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-c") == 0 || strcmp(a, "--client") == 0)
			o->server = 0;
		else if (strcmp(a, "-s") == 0 || strcmp(a, "--server") == 0)
			o->server = 1;
		else if (strcmp(a, "--no-client-first") == 0)
			o->no_client_first = 1;
		else if (strcmp(a, "--client-first") == 0)
			o->client_first = 1;
		else if (strcmp(a, "--scram-only") == 0)
			o->scram_only = 1;
		else if (strcmp(a, "--quiet") == 0)
			o->quiet = 1;
		/* gsasl's: no application data, no channel binding */
		else if (strcmp(a, "-d") == 0 || strcmp(a, "--no-cb") == 0)
			continue;
		else if ((v = optval(argc, argv, &i, "-m", "--mechanism")))
			o->mech = v;
		else if ((v = optval(argc, argv, &i, "-a",
		    "--authentication-id")))
			o->authcid = v;
		else if ((v = optval(argc, argv, &i, "-z",
		    "--authorization-id")))
			o->authzid = v;
		else if ((v = optval(argc, argv, &i, "-p", "--password")))
			o->password = v;
		else if ((v = optval(argc, argv, &i, NULL, "--token")))
			o->token = v;
		else if ((v = optval(argc, argv, &i, "-r", "--realm")))
			o->realm = v;
		else if ((v = optval(argc, argv, &i, NULL, "--service")))
			o->service = v;
		else if ((v = optval(argc, argv, &i, NULL, "--hostname")))
			o->hostname = v;
		else if ((v = optval(argc, argv, &i, NULL, "--port")))
			o->port = number(v);
		else if ((v = optval(argc, argv, &i, NULL, "--external-id")))
			o->external = v;
		else if ((v = optval(argc, argv, &i, NULL,
		    "--iteration-count")))
			o->iterations = number(v);
		else if ((v = optval(argc, argv, &i, NULL, "--salt")))
			o->salt = v;
		else
			usage();
	}
	if (o->server < 0 || o->mech == NULL)
		usage();
	quiet = o->quiet;
}

/*
 * One line of stdin without its LF (and a CR before it) into buf (cap
 * octets). *n is its length; a longer line than cap is read to its end
 * and *n tells its length, *over is set. -1 at the end of input.
 */
static int
readln(unsigned char *buf, size_t cap, size_t *n, int *over)
{
	size_t k = 0;
	int ch, any = 0;

	*over = 0;
	while ((ch = getchar()) != EOF) {
		any = 1;
		if (ch == '\n')
			break;
		if (k < cap)
			buf[k] = (unsigned char)ch;
		else
			*over = 1;
		k++;
	}
	if (!any)
		return -1;
	if (!*over && k > 0 && buf[k - 1] == '\r')
		k--;
	*n = k;
	return 0;
}

/* s[0..n) and a LF to stdout */
static void
writeln(const unsigned char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
	putchar('\n');
	fflush(stdout);
}

static int
fail(const char *what, mw_err err)
{
	fprintf(stderr, "sasl_peer: %s: %s (%s)\n", what, mw_err_message(err),
	    mw_err_name(err));
	return 1;
}

/* ---- server ------------------------------------------------------------ */

static unsigned char line[MW_SASL_LINE_MAX + 1];
static unsigned char out[MW_SASL_LINE_MAX + 3];

static int
run_server(const struct opts *o)
{
	static struct mw_sasl_scram_keys k1, k256;
	struct mw_crypto crypto;
	struct mw_sasl_user user;
	struct mw_sasl_server_config cfg;
	struct mw_sasl_session sess;
	struct mw_sasl_server s;
	struct mw_sasl_reply rep;
	unsigned char salt[64];
	const unsigned char *cid, *zid;
	size_t saltlen, n = 0, cn, zn;
	int ctl, over = 0, has_ir = 0;
	mw_err err;

	mw_crypto_openssl(&crypto);
	memset(&user, 0, sizeof(user));
	user.name = o->authcid != NULL ? o->authcid : "user";
	if (o->salt != NULL) {
		err = mw_base64_decode((const unsigned char *)o->salt,
		    strlen(o->salt), salt, sizeof(salt), &saltlen, &ctl);
		if (err != MW_ERR_OK)
			return fail("--salt", err);
	} else {
		saltlen = strlen(DEFAULT_SALT);
		memcpy(salt, DEFAULT_SALT, saltlen);
	}
	if (o->password != NULL) {
		err = mw_sasl_scram_keys(&crypto, MW_HASH_SHA1, o->password,
		    salt, saltlen, o->iterations, &k1);
		if (err == MW_ERR_OK)
			err = mw_sasl_scram_keys(&crypto, MW_HASH_SHA256,
			    o->password, salt, saltlen, o->iterations, &k256);
		if (err != MW_ERR_OK)
			return fail("mw_sasl_scram_keys", err);
		user.secret.scram_sha1 = &k1;
		user.secret.scram_sha256 = &k256;
		if (!o->scram_only) {
			user.secret.password =
			    (const unsigned char *)o->password;
			user.secret.password_len = strlen(o->password);
		}
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.crypto = &crypto;
	cfg.mechs = MW_SASL_SERVER_MECHS;
	cfg.hostname = o->hostname != NULL ? o->hostname : "localhost";
	cfg.users = &user;
	cfg.nusers = 1;
	memset(&sess, 0, sizeof(sess));
	sess.tls = 1;
	if (o->external != NULL) {
		sess.external = (const unsigned char *)o->external;
		sess.external_len = strlen(o->external);
	}
	sess.now = (uint64_t)time(NULL);

	note("Using mechanism:");
	writeln((const unsigned char *)o->mech, strlen(o->mech));
	if (o->client_first) {
		/* "AUTH mech ir": the client's first line; empty: no ir */
		note("Enter base64 authentication data from client "
		    "(press RET if none):");
		if (readln(line, sizeof(line), &n, &over) != 0) {
			fprintf(stderr, "sasl_peer: the client went away\n");
			return 1;
		}
		has_ir = n > 0;
	}
	err = mw_sasl_server_auth(&s, &cfg, &sess,
	    (const unsigned char *)o->mech, strlen(o->mech),
	    has_ir ? line : NULL, has_ir ? n : 0, has_ir, out, sizeof(out),
	    &rep);
	for (;;) {
		if (err != MW_ERR_OK)
			return fail("server", err);
		if (rep.code != 334)
			break;
		note("Output from server:");
		writeln(out, rep.len);
		note("Enter base64 authentication data from client "
		    "(press RET if none):");
		if (readln(line, sizeof(line), &n, &over) != 0) {
			fprintf(stderr, "sasl_peer: the client went away\n");
			return 1;
		}
		err = mw_sasl_server_line(&s, over ? NULL : line, n, out,
		    sizeof(out), &rep);
	}
	if (rep.code != 235) {
		fprintf(stderr, "sasl_peer: mechanism error: %d %s %s\n",
		    rep.code, rep.esc != NULL ? rep.esc : "",
		    rep.text != NULL ? rep.text : "");
		return 1;
	}
	err = mw_sasl_server_identity(&s, &cid, &cn, &zid, &zn);
	if (err != MW_ERR_OK)
		return fail("mw_sasl_server_identity", err);
	if (!quiet)
		fprintf(stderr, "235 %s %s: authcid \"%.*s\" authzid "
		    "\"%.*s\"\n", rep.esc, rep.text, (int)cn, (const char *)cid,
		    (int)zn, (const char *)zid);
	/* the final output (none: 235 carries no data, RFC 4954 4), then
	 * the one line gsasl reads after it; its end of input is fine */
	note("Output from server:");
	writeln(out, 0);
	note("Enter base64 authentication data from client "
	    "(press RET if none):");
	(void)readln(line, sizeof(line), &n, &over);
	note("Server authentication finished (client trusted)...");
	return 0;
}

/* ---- client ------------------------------------------------------------ */

/* Does the client speak first (RFC 4422 3.3)? */
static int
client_first(enum mw_auth_mech m)
{
	return m != MW_AUTH_LOGIN && m != MW_AUTH_CRAM_MD5 &&
	    m != MW_AUTH_DIGEST_MD5;
}

/*
 * The challenges the client answers after its initial response (or from
 * the start, if the server speaks first) until the server's verdict: what
 * an SMTP client learns from the 235 that the line format lacks.
 */
static int
challenges(enum mw_auth_mech m)
{
	switch (m) {
	case MW_AUTH_LOGIN:		/* "Username:", "Password:" */
	case MW_AUTH_DIGEST_MD5:	/* digest-challenge, rspauth */
	case MW_AUTH_SCRAM_SHA_1:	/* server-first, server-final */
	case MW_AUTH_SCRAM_SHA_256:
		return 2;
	case MW_AUTH_CRAM_MD5:
		return 1;
	default:
		return 0;
	}
}

/* out[0..len) holds "AUTH mech[ ir]" CRLF: writes ir ("" for "=" or none) */
static int
write_ir(const unsigned char *s, size_t len, size_t namelen, int *sent)
{
	size_t k = 5 + namelen;

	if (len < k + 2 || memcmp(s, "AUTH ", 5) != 0 ||
	    s[len - 2] != '\r' || s[len - 1] != '\n') {
		fprintf(stderr, "sasl_peer: a malformed AUTH line\n");
		return -1;
	}
	*sent = s[k] == ' ';
	if (!*sent || (len - 2 - k - 1 == 1 && s[k + 1] == '='))
		writeln(s, 0);
	else
		writeln(s + k + 1, len - 2 - k - 1);
	return 0;
}

/* Answers the 334 text line[0..n); 0, or 1 when the exchange failed. */
static int
answer(struct mw_sasl_client *c, enum mw_auth_mech m, const unsigned char *t,
    size_t n)
{
	size_t len = 0;
	mw_err err;

	err = mw_sasl_client_reply334(c, t, n, out, sizeof(out), &len);
	if (err == MW_ERR_AUTH && (m == MW_AUTH_XOAUTH2 ||
	    m == MW_AUTH_OAUTHBEARER) && len >= 2 &&
	    !(len == 3 && out[0] == '*')) {
		/* RFC 7628 3.2.3: the error challenge is answered, then the
		 * server fails the exchange */
		fprintf(stderr, "sasl_peer: the server reported status "
		    "\"%s\"\n", mw_sasl_client_oauth_status(c));
		writeln(out, len - 2);
		return 1;
	}
	if (err != MW_ERR_OK)
		return fail("mechanism error", err);
	if (len < 2 || out[len - 2] != '\r' || out[len - 1] != '\n') {
		fprintf(stderr, "sasl_peer: a response without CRLF\n");
		return 1;
	}
	note("Output from client:");
	writeln(out, len - 2);
	return 0;
}

static int
run_client(const struct opts *o)
{
	struct mw_crypto crypto;
	struct mw_sasl_creds cr;
	struct mw_sasl_client c;
	enum mw_auth_mech m;
	unsigned char raw[MW_SASL_MSG_MAX];
	size_t n, rawlen, len;
	int over, has, left, sent;
	mw_err err;

	mw_crypto_openssl(&crypto);
	m = mw_auth_mech_lookup((const unsigned char *)o->mech,
	    strlen(o->mech));
	memset(&cr, 0, sizeof(cr));
	cr.authcid = o->authcid;
	cr.authzid = o->authzid;
	cr.password = o->password;
	cr.token = o->token;
	cr.host = o->hostname;
	cr.port = o->port;
	cr.service = o->service;
	cr.realm = o->realm;
	if ((err = mw_sasl_client_start(&c, m, &cr, &crypto)) != MW_ERR_OK)
		return fail("mw_sasl_client_start", err);
	note("Using mechanism:");
	writeln((const unsigned char *)o->mech, strlen(o->mech));
	left = challenges(m);
	if (!o->no_client_first) {
		/* as "AUTH mech ir" would carry it */
		err = mw_sasl_client_auth_line(&c, out, sizeof(out), &len);
		if (err != MW_ERR_OK)
			return fail("mw_sasl_client_auth_line", err);
		note("Output from client:");
		if (write_ir(out, len, strlen(o->mech), &sent) != 0)
			return 1;
		/* withheld for its length: the first empty 334 asks for it */
		if (!sent && client_first(m))
			left++;
	} else {
		note("Enter base64 authentication data from server "
		    "(press RET if none):");
		if (readln(line, sizeof(line), &n, &over) != 0) {
			fprintf(stderr, "sasl_peer: the server went away\n");
			return 1;
		}
		err = mw_sasl_client_initial(&c, raw, sizeof(raw), &rawlen,
		    &has);
		if (err != MW_ERR_OK)
			return fail("mw_sasl_client_initial", err);
		if (has) {
			/* RFC 4422 5.1: the server's empty challenge asks for
			 * the initial response */
			if (n != 0) {
				fprintf(stderr, "sasl_peer: a challenge before "
				    "the initial response\n");
				return 1;
			}
			err = mw_base64_encode(raw, rawlen, out, sizeof(out),
			    &len);
			if (err != MW_ERR_OK)
				return fail("mw_base64_encode", err);
			note("Output from client:");
			writeln(out, len);
		} else {
			if (over) {
				fprintf(stderr, "sasl_peer: a challenge line "
				    "longer than %d octets\n", MW_SASL_LINE_MAX);
				return 1;
			}
			if (answer(&c, m, line, n) != 0)
				return 1;
			left--;
		}
	}
	for (; left > 0; left--) {
		note("Enter base64 authentication data from server "
		    "(press RET if none):");
		if (readln(line, sizeof(line), &n, &over) != 0) {
			fprintf(stderr, "sasl_peer: the server went away "
			    "(authentication refused)\n");
			return 1;
		}
		if (over) {
			fprintf(stderr, "sasl_peer: a challenge line longer "
			    "than %d octets\n", MW_SASL_LINE_MAX);
			return 1;
		}
		if (answer(&c, m, line, n) != 0)
			return 1;
	}
	/* the line that stands for 235 */
	note("Enter base64 authentication data from server "
	    "(press RET if none):");
	if (readln(line, sizeof(line), &n, &over) != 0) {
		fprintf(stderr, "sasl_peer: the server went away "
		    "(authentication refused)\n");
		return 1;
	}
	if ((err = mw_sasl_client_finish(&c)) != MW_ERR_OK)
		return fail("mw_sasl_client_finish", err);
	note("Client authentication finished (server trusted)...");
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;

	parse(argc, argv, &o);
	return o.server ? run_server(&o) : run_client(&o);
}
