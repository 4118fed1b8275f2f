# mailwire: one plain Makefile. Everything generated or compiled goes
# under build/. User CFLAGS are respected; warnings are relaxed only for
# the C that Ragel generates.
#
#   make run                 build, then the demo
#   make test                every test; ends with "N passed, N failed"
#   make fuzz FUZZ_SECONDS=N each libFuzzer target for N seconds
#   make bench BENCH_SECONDS=N
#   make test-load           10,000 messages over 100 sessions into a Maildir
#   make clean

B		= build
CC		= cc
CLANG		= clang
CFLAGS		= -O2 -g
RAGEL		= ragel
RAGEL_STYLE	= -G2
# the command machine (~2,100 states) in -G2 is 1.5 MB of C that takes
# gcc about a minute, but runs 5x faster than the table styles (whose
# chain of dependent table loads costs ~40 cycles a byte)
RAGEL_STYLE_command = -G2
# gcc's default block order ("stc") scatters the -G2 command machine's hot
# paths: "simple", close to the order Ragel writes the states in, is 10-15%
# faster on the command mix and 15-40% on heavy parameters at the same
# instruction count (docs/PERFORMANCE.md); compilers without it get nothing.
# run_line at a 64-octet boundary: heavy parameters ~10% faster, the mix a
# few percent, in alternating runs (where it falls otherwise moves with
# every change to the file)
flag_if = $(shell $(CC) $(1) -Werror -S -o /dev/null -x c /dev/null \
	>/dev/null 2>&1 && echo $(1))
CFLAGS_command := $(call flag_if,-freorder-blocks-algorithm=simple) \
	$(call flag_if,-falign-functions=64)
RE2C		= re2c
RFC_DIR		= ../shared/rfc
SENTENCES	= 300
FUZZ_SECONDS	= 60
BENCH_SECONDS	= 10

STD	= -std=c11
WARN	= -Wall -Wextra -Werror
# Ragel's tables and -G2 gotos trip these; only generated objects get them
GENWARN	= -Wall -Wextra -Werror -Wno-unused-const-variable \
	  -Wno-implicit-fallthrough -Wno-unused-variable \
	  -Wno-unused-but-set-variable -Wno-unused-parameter
SAN	= -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -fno-omit-frame-pointer
# gen/ and the programs use POSIX; the core does not need it
POSIX	= -D_DEFAULT_SOURCE
INC	= -Iinclude

GRAMMAR	= $(sort $(wildcard grammar/*.abnf))
LISTS	= grammar/start.list grammar/captures.list
GENARGS	= --start grammar/start.list --captures grammar/captures.list $(GRAMMAR)
GENLIB	= gen/grammar.c gen/parse.c gen/emit_ragel.c gen/sentence.c \
	  gen/rfccheck.c gen/runs.c $(B)/gen-src/lexer.c
GENHDR	= gen/abnf.h
# the core: hand-written C, and Ragel machines that include the generated ones
CORE_C	= src/errors.c src/data.c src/mech.c src/crypto.c src/out.c src/sasl.c \
	  src/sasl_login.c src/sasl_cram.c \
	  src/sasl_digest.c src/sasl_oauth.c $(sort $(wildcard src/server*.c)) \
	  $(sort $(wildcard src/client*.c))
CORE_RL	= src/esc.rl src/xtext.rl src/base64.rl src/command.rl src/reply.rl \
	  src/sasl_plain.rl src/sasl_scram.rl src/sasl_external.rl
CORE	= $(CORE_C:src/%.c=$(B)/obj/%.o) $(CORE_RL:src/%.rl=$(B)/obj/%.o)
HDRS	= $(wildcard include/mailwire/*.h) $(wildcard src/*.h)
# beside the core: the adapters (OpenSSL's crypto for the SASL machines)
IO_C	= src/crypto_openssl.c src/io_posix.c src/io_tls.c src/io_client.c
IO	= $(IO_C:src/%.c=$(B)/obj/io/%.o)
DEPS	= $(B)/.deps-ok

PARSE_SRC = src/mailwire-parse.c src/parse_command.c src/parse_data.c \
	    src/parse_reply.c src/json.c

all: $(B)/bin/mwgen $(B)/libmailwire-core.a $(B)/libmailwire-io.a \
	$(B)/bin/mailwire-recognize $(B)/bin/mailwire-parse \
	$(B)/bin/mailwire-sink $(B)/bin/mailwire-send

$(DEPS): scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p $(B) && touch $@

# --- the generator -------------------------------------------------------
$(B)/gen-src/lexer.c: gen/lexer.re | $(DEPS)
	@mkdir -p $(@D)
	$(RE2C) --no-generation-date --no-version -W -o $@ gen/lexer.re

$(B)/bin/mwgen: gen/main.c $(GENLIB) $(GENHDR)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) $(CFLAGS) -Igen -o $@ gen/main.c $(GENLIB)

# --- generated machines --------------------------------------------------
$(B)/gen/grammar.rl: $(B)/bin/mwgen $(GRAMMAR) $(LISTS)
	@rm -rf $(B)/gen && mkdir -p $(B)/gen
	$(B)/bin/mwgen ragel -o $(B)/gen $(GENARGS)

$(B)/gen/acceptors.rl: $(B)/bin/mwgen $(B)/gen/grammar.rl
	$(B)/bin/mwgen acceptor -o $@ $(GENARGS)

$(B)/gen/acceptors.c: $(B)/gen/acceptors.rl | $(DEPS)
	$(RAGEL) $(RAGEL_STYLE) -I$(B)/gen -o $@ $(B)/gen/acceptors.rl

$(B)/obj/acceptors.o: $(B)/gen/acceptors.c gen/accept.h
	@mkdir -p $(@D)
	$(CC) $(STD) $(GENWARN) $(CFLAGS) -Igen -I$(B)/gen -c -o $@ $(B)/gen/acceptors.c

# --- the core: pure, no allocation, I/O or clock -------------------------
$(B)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) $(CFLAGS) $(INC) -c -o $@ $<

$(B)/src/%.c: src/%.rl $(B)/gen/grammar.rl | $(DEPS)
	@mkdir -p $(@D)
	$(RAGEL) $(or $(RAGEL_STYLE_$*),$(RAGEL_STYLE)) -I$(B)/gen -o $@ $<

# the command machine in -G2: its self-loops skip runs of octets
# (gen/runs.c, from the machine as Ragel describes it in XML)
# (the param machine's capture hooks do nothing: src/command.rl)
RUNS = $(if $(filter -G2,$(2)),$(RAGEL) -x -I$(B)/gen -o $(1).xml $(3) && \
	$(B)/bin/mwgen runs --pure param $(1).xml $(1).g.c $(1) && \
	rm -f $(1).xml $(1).g.c,mv $(1).g.c $(1))
$(B)/src/command.c: src/command.rl $(B)/gen/grammar.rl $(B)/bin/mwgen | $(DEPS)
	@mkdir -p $(@D)
	$(RAGEL) $(RAGEL_STYLE_command) -I$(B)/gen -o $@.g.c src/command.rl
	$(call RUNS,$@,$(RAGEL_STYLE_command),src/command.rl)

$(B)/obj/%.o: $(B)/src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(STD) $(GENWARN) $(CFLAGS) $(CFLAGS_$*) $(INC) -Isrc -I$(B)/gen -c -o $@ $<

# the Makefile too: a file added to CORE_C or CORE_RL must rebuild these
$(B)/libmailwire-core.a: $(CORE) Makefile
	@rm -f $@
	ar rcs $@ $(CORE)

# --- adapters: may use POSIX and OpenSSL ----------------------------------
$(B)/obj/io/%.o: src/%.c $(HDRS) | $(DEPS)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) $(CFLAGS) $(INC) -c -o $@ $<

$(B)/libmailwire-io.a: $(IO) Makefile
	@rm -f $@
	ar rcs $@ $(IO)

# --- programs ------------------------------------------------------------
$(B)/bin/mailwire-recognize: src/recognize.c gen/accept.h $(B)/obj/acceptors.o
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) $(CFLAGS) -Igen -o $@ src/recognize.c \
	    $(B)/obj/acceptors.o

$(B)/bin/mailwire-parse: $(PARSE_SRC) src/json.h src/parse_tool.h $(HDRS) $(B)/libmailwire-core.a
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) $(CFLAGS) $(INC) -o $@ $(PARSE_SRC) \
	    $(B)/libmailwire-core.a -lcrypto

# the -v transcript (src/transcript.c) is the programs', not the core's
SINK_SRC = src/mailwire-sink.c src/transcript.c
SEND_SRC = src/mailwire-send.c src/send_headers.c src/send_message.c \
	   src/transcript.c

$(B)/bin/mailwire-sink: $(SINK_SRC) $(HDRS) $(B)/libmailwire-io.a $(B)/libmailwire-core.a
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) $(CFLAGS) $(INC) -o $@ $(SINK_SRC) \
	    $(B)/libmailwire-io.a $(B)/libmailwire-core.a -lssl -lcrypto

$(B)/bin/mailwire-send: $(SEND_SRC) $(HDRS) $(B)/libmailwire-io.a $(B)/libmailwire-core.a
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) $(CFLAGS) $(INC) -o $@ $(SEND_SRC) \
	    $(B)/libmailwire-io.a $(B)/libmailwire-core.a -lssl -lcrypto

# the demo: mailwire-sink and mailwire-send over loopback, STARTTLS, AUTH
run: $(DEPS) all
	@B=$(B) sh scripts/demo.sh

# --- tests (built with ASan and UBSan) -----------------------------------
TESTBIN	= $(B)/tests/test_gen_lexer $(B)/tests/test_gen_parse \
	  $(B)/tests/test_gen_machines $(B)/tests/test_errors \
	  $(B)/tests/test_esc $(B)/tests/replay_esc \
	  $(B)/tests/test_command $(B)/tests/test_command_sentences \
	  $(B)/tests/replay_command \
	  $(B)/tests/test_data $(B)/tests/test_data_portable \
	  $(B)/tests/replay_data $(B)/tests/replay_data_portable \
	  $(B)/tests/test_reply $(B)/tests/replay_reply \
	  $(B)/tests/mwgen $(B)/tests/replay_abnf $(B)/tests/bad-core.a \
	  $(SASLTESTS:%=$(B)/tests/test_%) $(B)/tests/test_server \
	  $(B)/tests/replay_server $(B)/tests/sasl_peer $(B)/tests/replay_sasl \
	  $(B)/tests/test_client $(B)/tests/replay_client

# the SASL machines and their codecs, with the OpenSSL crypto provider
SASLTESTS = base64 xtext_encode crypto sasl sasl_cram sasl_login \
	  sasl_external sasl_digest sasl_oauth sasl_scram

$(B)/tests/test_gen_lexer: tests/test_gen_lexer.c tests/check.h $(GENLIB) $(GENHDR)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) -Igen -Itests -o $@ tests/test_gen_lexer.c $(GENLIB)

$(B)/tests/test_gen_parse: tests/test_gen_parse.c tests/check.h $(GENLIB) $(GENHDR)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) -Igen -Itests -o $@ tests/test_gen_parse.c $(GENLIB)

$(B)/tests/acceptors.o: $(B)/gen/acceptors.c gen/accept.h
	@mkdir -p $(@D)
	$(CC) $(STD) $(GENWARN) -O1 -g $(SAN) -Igen -I$(B)/gen -c -o $@ $(B)/gen/acceptors.c

$(B)/tests/test_gen_machines: tests/test_gen_machines.c tests/check.h $(B)/tests/acceptors.o $(GENLIB) $(GENHDR)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) -Igen -Itests -o $@ \
	    tests/test_gen_machines.c $(B)/tests/acceptors.o $(GENLIB)

$(B)/tests/test_errors: tests/test_errors.c tests/check.h $(B)/tests/libcore-san.a
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) -O1 -g $(SAN) $(INC) -Itests -o $@ tests/test_errors.c $(B)/tests/libcore-san.a

# the core, once more, under the sanitizers
$(B)/tests/libcore-san.a: $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) $(HDRS) Makefile
	@rm -rf $(B)/tests/core
	@mkdir -p $(B)/tests/core
	@for f in $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c); do \
	    o=$(B)/tests/core/$$(basename $$f .c).o; \
	    echo "$(CC) ... $(SAN) -c -o $$o $$f"; \
	    $(CC) $(STD) $(GENWARN) -O1 -g $(SAN) $(INC) -Isrc -I$(B)/gen -c -o $$o $$f || exit 1; \
	done
	@rm -f $@
	ar rcs $@ $(B)/tests/core/*.o

$(SASLTESTS:%=$(B)/tests/test_%): $(B)/tests/test_%: tests/test_%.c tests/check.h src/crypto_openssl.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Isrc -I$(B)/gen -Itests -o $@ $< \
	    src/crypto_openssl.c $(B)/tests/libcore-san.a -lcrypto

# our SASL machines in gsasl's command-line format (tests/test_gsasl.sh)
$(B)/tests/sasl_peer: tests/sasl_peer.c src/crypto_openssl.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -o $@ tests/sasl_peer.c \
	    src/crypto_openssl.c $(B)/tests/libcore-san.a -lcrypto

$(B)/tests/replay_sasl: fuzz/fuzz_sasl.c fuzz/replay.c src/crypto_openssl.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Isrc -o $@ fuzz/fuzz_sasl.c fuzz/replay.c \
	    src/crypto_openssl.c $(B)/tests/libcore-san.a -lcrypto

$(B)/tests/test_server: tests/test_server.c tests/check.h tests/script.h src/crypto_openssl.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Isrc -I$(B)/gen -Itests -o $@ $< \
	    src/crypto_openssl.c $(B)/tests/libcore-san.a -lcrypto

$(B)/tests/replay_server: fuzz/fuzz_server.c fuzz/replay.c src/crypto_openssl.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -o $@ fuzz/fuzz_server.c fuzz/replay.c \
	    src/crypto_openssl.c $(B)/tests/libcore-san.a -lcrypto

$(B)/tests/test_client: tests/test_client.c tests/check.h tests/script.h src/crypto_openssl.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Isrc -I$(B)/gen -Itests -o $@ $< \
	    src/crypto_openssl.c $(B)/tests/libcore-san.a -lcrypto

$(B)/tests/replay_client: fuzz/fuzz_client.c fuzz/replay.c src/crypto_openssl.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Isrc -o $@ fuzz/fuzz_client.c fuzz/replay.c \
	    src/crypto_openssl.c $(B)/tests/libcore-san.a -lcrypto

$(B)/tests/test_esc: tests/test_esc.c tests/check.h $(B)/tests/libcore-san.a
	$(CC) $(STD) $(WARN) -O1 -g $(SAN) $(INC) -Itests -o $@ tests/test_esc.c $(B)/tests/libcore-san.a

$(B)/tests/replay_esc: fuzz/fuzz_esc.c fuzz/replay.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -o $@ fuzz/fuzz_esc.c fuzz/replay.c $(B)/tests/libcore-san.a

$(B)/tests/test_command: tests/test_command.c tests/check.h $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Itests -o $@ tests/test_command.c $(B)/tests/libcore-san.a

$(B)/tests/test_command_sentences: tests/test_command_sentences.c tests/check.h $(B)/tests/libcore-san.a $(GENLIB) $(GENHDR)
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Igen -Itests -o $@ \
	    tests/test_command_sentences.c $(GENLIB) $(B)/tests/libcore-san.a

$(B)/tests/replay_command: fuzz/fuzz_command.c fuzz/replay.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -o $@ fuzz/fuzz_command.c fuzz/replay.c $(B)/tests/libcore-san.a

$(B)/tests/test_data: tests/test_data.c tests/check.h $(B)/tests/libcore-san.a
	$(CC) $(STD) $(WARN) -O1 -g $(SAN) $(INC) -Itests -o $@ tests/test_data.c $(B)/tests/libcore-san.a

$(B)/tests/test_reply: tests/test_reply.c tests/check.h $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Itests -o $@ tests/test_reply.c $(B)/tests/libcore-san.a

# its oracle is the generator's own acceptors
$(B)/tests/replay_reply: fuzz/fuzz_reply.c fuzz/replay.c gen/accept.h $(B)/tests/acceptors.o $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -Igen -I$(B)/gen -o $@ \
	    fuzz/fuzz_reply.c fuzz/replay.c $(B)/tests/acceptors.o $(B)/tests/libcore-san.a

# the DATA codec once more with its portable scan (no SSE2)
$(B)/tests/test_data_portable: tests/test_data.c tests/check.h src/data.c src/errors.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) -O1 -g $(SAN) -DMW_DATA_PORTABLE $(INC) -Itests -o $@ \
	    tests/test_data.c src/data.c src/errors.c

$(B)/tests/replay_data: fuzz/fuzz_data.c fuzz/replay.c $(B)/tests/libcore-san.a
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) $(INC) -o $@ fuzz/fuzz_data.c fuzz/replay.c $(B)/tests/libcore-san.a

$(B)/tests/replay_data_portable: fuzz/fuzz_data.c fuzz/replay.c src/data.c src/errors.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) -DMW_DATA_PORTABLE $(INC) -o $@ \
	    fuzz/fuzz_data.c fuzz/replay.c src/data.c src/errors.c

# the generator itself under the sanitizers, for the bad-grammar cases
$(B)/tests/mwgen: gen/main.c $(GENLIB) $(GENHDR)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) -Igen -o $@ gen/main.c $(GENLIB)

$(B)/tests/replay_abnf: fuzz/fuzz_abnf.c fuzz/replay.c $(GENLIB) $(GENHDR)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O1 -g $(SAN) -Igen -o $@ fuzz/fuzz_abnf.c fuzz/replay.c $(GENLIB)

# an archive that calls malloc: the symbol check must catch it
$(B)/tests/bad-core.a: tests/bad_core.c
	@mkdir -p $(@D)
	$(CC) $(STD) -c -o $(B)/tests/bad_core.o tests/bad_core.c
	@rm -f $@
	ar rcs $@ $(B)/tests/bad_core.o

# the client's interop peers: Exim is extracted beside postfix
# (tests/peers/README); the Debian packages come with $(DEPS)
PEERS	= $(B)/.peers-ok
$(PEERS): tests/peers/exim.sh | $(DEPS)
	@sh tests/peers/exim.sh install
	@touch $@

test: $(DEPS) $(PEERS) all $(TESTBIN) $(B)/bench/conns
	@B=$(B) RFC_DIR=$(RFC_DIR) SENTENCES=$(SENTENCES) CLANG=$(CLANG) \
	    RAGEL="$(RAGEL) $(RAGEL_STYLE)" sh tests/run.sh

# the load test of mailwire-sink (tens of seconds: two fsyncs a message)
test-load: $(DEPS) $(B)/bin/mailwire-sink
	MW_LOAD=1 SINK=$(B)/bin/mailwire-sink sh tests/test_interop.sh

# --- fuzzing (clang, libFuzzer) ------------------------------------------
FUZZERS	= abnf esc command data reply server sasl client
FUZZFLAGS = $(STD) $(POSIX) $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all

$(B)/fuzz/fuzz_abnf: fuzz/fuzz_abnf.c $(GENLIB) $(GENHDR) | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZFLAGS) -Igen -o $@ fuzz/fuzz_abnf.c $(GENLIB)

# the ABNF target's dictionary is ABNF's own syntax, written by hand
$(B)/fuzz/abnf.dict: fuzz/abnf.dict
	@mkdir -p $(@D)
	cp fuzz/abnf.dict $@

$(B)/fuzz/fuzz_esc: fuzz/fuzz_esc.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZFLAGS) -Wno-unused-const-variable $(INC) -Isrc -I$(B)/gen -o $@ \
	    fuzz/fuzz_esc.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c)

$(B)/fuzz/fuzz_command: fuzz/fuzz_command.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZFLAGS) -Wno-unused-const-variable $(INC) -Isrc -I$(B)/gen -o $@ \
	    fuzz/fuzz_command.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c)

$(B)/fuzz/fuzz_server: fuzz/fuzz_server.c src/crypto_openssl.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZFLAGS) -Wno-unused-const-variable $(INC) -Isrc -I$(B)/gen -o $@ \
	    fuzz/fuzz_server.c src/crypto_openssl.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) -lcrypto

$(B)/fuzz/fuzz_sasl: fuzz/fuzz_sasl.c src/crypto_openssl.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZFLAGS) -Wno-unused-const-variable $(INC) -Isrc -I$(B)/gen -o $@ \
	    fuzz/fuzz_sasl.c src/crypto_openssl.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) -lcrypto

# SASL messages: their grammars' terminals
$(B)/fuzz/sasl.dict: $(B)/bin/mwgen $(GRAMMAR) $(LISTS)
	@mkdir -p $(@D)
	$(B)/bin/mwgen dict -s plain.message,scram.client-first-message,scram.server-first-message,scram.client-final-message,scram.server-final-message,external-initial-resp,base64 $(GENARGS) > $@

$(B)/fuzz/fuzz_client: fuzz/fuzz_client.c src/crypto_openssl.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZFLAGS) -Wno-unused-const-variable $(INC) -Isrc -I$(B)/gen -o $@ \
	    fuzz/fuzz_client.c src/crypto_openssl.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) -lcrypto

# server replies: the reply terminals are its dictionary
$(B)/fuzz/client.dict: $(B)/fuzz/reply.dict
	cp $(B)/fuzz/reply.dict $@

# whole sessions: the command terminals are its dictionary
$(B)/fuzz/server.dict: $(B)/fuzz/command.dict
	cp $(B)/fuzz/command.dict $@

$(B)/fuzz/fuzz_data: fuzz/fuzz_data.c src/data.c src/errors.c $(HDRS) | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZFLAGS) $(INC) -o $@ fuzz/fuzz_data.c src/data.c src/errors.c

# the DATA target's input is octets, not grammar: its dictionary is the
# pieces of CRLF . CRLF and its look-alikes
$(B)/fuzz/data.dict:
	@mkdir -p $(@D)
	printf '%s\n' '"\x0d\x0a.\x0d\x0a"' '"\x0d\x0a."' '"\x0a."' '"\x0d."' \
	    '".\x0d"' '"\x0d\x0a"' '"\x0d"' '"\x0a"' '".."' '"\x00"' > $@

$(B)/fuzz/acceptors.o: $(B)/gen/acceptors.c gen/accept.h | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(STD) -O1 -w -Igen -I$(B)/gen -c -o $@ $(B)/gen/acceptors.c

$(B)/fuzz/fuzz_reply: fuzz/fuzz_reply.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) $(B)/fuzz/acceptors.o | $(DEPS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZFLAGS) -Wno-unused-const-variable $(INC) -Isrc -Igen -I$(B)/gen -o $@ \
	    fuzz/fuzz_reply.c $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c) $(B)/fuzz/acceptors.o

REPLY_RULES = Reply-line,ehlo-ok-rsp,Greeting,status-code,size-ehlo-line,auth-ehlo-line,limits-ehlo-line,pipelining-ehlo-line,eightbitmime-ehlo-line,binarymime-ehlo-line,chunking-ehlo-line,dsn-ehlo-line,enhancedstatuscodes-ehlo-line,smtputf8-ehlo-line,starttls-ehlo-line,requiretls-ehlo-line
$(B)/fuzz/reply.dict: $(B)/bin/mwgen $(GRAMMAR) $(LISTS)
	@mkdir -p $(@D)
	$(B)/bin/mwgen dict -s $(REPLY_RULES) $(GENARGS) > $@

# the SMTP targets' dictionaries: the terminals of their start rules
$(B)/fuzz/esc.dict: $(B)/bin/mwgen $(GRAMMAR) $(LISTS)
	@mkdir -p $(@D)
	$(B)/bin/mwgen dict -s status-code $(GENARGS) > $@

COMMAND_RULES = ehlo,helo,mail,rcpt,data,rset,vrfy,expn,help,noop,quit,starttls,auth-line,bdat-cmd,lhlo,etrn
$(B)/fuzz/command.dict: $(B)/bin/mwgen $(GRAMMAR) $(LISTS)
	@mkdir -p $(@D)
	$(B)/bin/mwgen dict -s $(COMMAND_RULES),Mail-parameters,Rcpt-parameters,size-mail-param,body-param,auth-param,ret-parameter,envid-parameter,smtputf8-param,requiretls-param,mt-priority-param,hold-param,by-parameter,notify-parameter,orcpt-parameter,rrvs-param $(GENARGS) > $@

fuzz: $(DEPS) $(FUZZERS:%=$(B)/fuzz/fuzz_%) $(FUZZERS:%=$(B)/fuzz/%.dict)
	@for t in $(FUZZERS); do \
	    mkdir -p $(B)/fuzz/corpus/$$t; \
	    echo "fuzz_$$t: $(FUZZ_SECONDS)s"; \
	    $(B)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        -dict=$(B)/fuzz/$$t.dict -artifact_prefix=$(B)/fuzz/ \
	        -print_final_stats=1 \
	        $(B)/fuzz/corpus/$$t fuzz/corpus/$$t 2>&1 | \
	        grep -E '^(stat::number_of_executed_units|INFO: Running|==|SUMMARY)|Test unit written' ; \
	    [ -z "$$(ls $(B)/fuzz/crash-* $(B)/fuzz/leak-* $(B)/fuzz/timeout-* 2>/dev/null)" ] || \
	        { echo "fuzz_$$t: a finding is in $(B)/fuzz/"; exit 1; }; \
	done

# --- benchmarks: ratios against memchr/memcpy measured in the same run --
# scripts/bench.sh installs the peers (Postfix's smtp-sink/smtp-source,
# go-smtp, aiosmtpd, gnuplot, the ARM toolchain), builds what each part
# needs with the targets below and writes build/bench/results.md and
# results.png; `scripts/bench.sh PART` runs one part alone.
BENCHES	= command data reply count memory ceiling machine
BENCH_STYLES = T0 T1 F1 G2
BENCHBIN = $(BENCHES:%=$(B)/bench/bench_%) $(B)/bench/nullsink $(B)/bench/conns \
	   $(B)/bench/mwsource

$(B)/bench/bench_%: bench/bench_%.c bench/bench.h bench/sizes.h bench/corpus.h bench/corpus.c $(B)/libmailwire-core.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O2 -g $(INC) -o $@ $< bench/corpus.c \
	    $(B)/libmailwire-core.a

# the command machine alone: the same generated C, its hooks doing nothing
$(B)/bench/bench_machine: bench/bench_machine.c bench/bench.h bench/corpus.h bench/corpus.c $(B)/src/command.c $(B)/libmailwire-core.a $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(GENWARN) -Wno-unused-function -O2 -g \
	    $(CFLAGS_command) $(INC) -Isrc \
	    -I$(B)/src -I$(B)/gen -o $@ $< bench/corpus.c $(B)/libmailwire-core.a

# the no-parsing baseline server, and the idle-connection client
$(B)/bench/nullsink: bench/nullsink.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O2 -g -o $@ bench/nullsink.c

# the client engine as a load generator (smtp-source's counterpart)
$(B)/bench/mwsource: bench/mwsource.c $(HDRS) $(B)/libmailwire-core.a
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O2 -g $(INC) -o $@ bench/mwsource.c \
	    $(B)/libmailwire-core.a

$(B)/bench/conns: bench/conns.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(POSIX) $(WARN) -O2 -g -o $@ bench/conns.c

# go-smtp from Debian's packages, offline (GOPATH, no modules)
$(B)/bench/gosink: bench/gosink/main.go
	@mkdir -p $(@D)
	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= GOCACHE=$(CURDIR)/$(B)/bench/gocache \
	    go build -o $@ bench/gosink/main.go

# the command and reply machines in each Ragel code style, and the
# benchmarks linked against them (their objects come before the archive)
$(B)/bench/styles/%/command.c: src/command.rl $(B)/gen/grammar.rl $(B)/bin/mwgen | $(DEPS)
	@mkdir -p $(@D)
	$(RAGEL) -$* -I$(B)/gen -o $@.g.c src/command.rl
	$(call RUNS,$@,-$*,src/command.rl)

$(B)/bench/styles/%/reply.c: src/reply.rl $(B)/gen/grammar.rl | $(DEPS)
	@mkdir -p $(@D)
	$(RAGEL) -$* -I$(B)/gen -o $@ src/reply.rl

$(B)/bench/styles/%.o: $(B)/bench/styles/%.c $(HDRS)
	$(CC) $(STD) $(GENWARN) $(CFLAGS) $(CFLAGS_$(notdir $*)) $(INC) -Isrc -I$(B)/gen -c -o $@ $<

$(B)/bench/styles/%/bench_command: bench/bench_command.c bench/bench.h bench/corpus.h bench/corpus.c $(B)/bench/styles/%/command.o $(B)/libmailwire-core.a
	$(CC) $(STD) $(POSIX) $(WARN) -O2 -g $(INC) -o $@ $< bench/corpus.c \
	    $(B)/bench/styles/$*/command.o $(B)/libmailwire-core.a

$(B)/bench/styles/%/bench_reply: bench/bench_reply.c bench/bench.h bench/corpus.c $(B)/bench/styles/%/reply.o $(B)/libmailwire-core.a
	$(CC) $(STD) $(POSIX) $(WARN) -O2 -g $(INC) -o $@ $< bench/corpus.c \
	    $(B)/bench/styles/$*/reply.o $(B)/libmailwire-core.a

.PRECIOUS: $(B)/bench/styles/%/command.c $(B)/bench/styles/%/reply.c \
	$(B)/bench/styles/%.o

.PHONY: bench-bin bench-styles bench-print-core

# the core's C sources (Ragel's output for the machines), for the
# embedded footprint (scripts/bench.sh footprint compiles them itself)
bench-print-core: $(CORE_RL:src/%.rl=$(B)/src/%.c)
	@echo $(CORE_C) $(CORE_RL:src/%.rl=$(B)/src/%.c)

bench-bin: $(BENCHBIN)

bench-styles: $(BENCH_STYLES:%=$(B)/bench/styles/%/bench_command) \
	$(BENCH_STYLES:%=$(B)/bench/styles/%/bench_reply)

bench: $(DEPS) all
	@B=$(B) BENCH_SECONDS=$(BENCH_SECONDS) MAKE="$(MAKE)" CC="$(CC)" \
	    RAGEL_STYLE="$(RAGEL_STYLE)" RAGEL_STYLE_command="$(RAGEL_STYLE_command)" \
	    BENCH_STYLES="$(BENCH_STYLES)" sh scripts/bench.sh all

clean:
	rm -rf $(B)

.PHONY: all run test test-load fuzz bench clean
