#!/bin/sh
# tests/run.sh: runs every test of `make test` (the Makefile builds them
# first). Each test prints "ok - ..." / "not ok - ..." / "skipped - ..."
# lines; this adds them up, shows failures and skips, keeps the whole log
# in $B/test.log and ends with "N passed, N failed".
set -u
B=${B:-build}
RFC_DIR=${RFC_DIR:-../shared/rfc}
SENTENCES=${SENTENCES:-300}
export B RFC_DIR SENTENCES

passed=0
failed=0
skipped=0
log=$B/test.log
: > "$log"

t() {	# t NAME COMMAND...
	name=$1
	shift
	out=$("$@" 2>&1)
	st=$?
	printf '== %s\n%s\n' "$name" "$out" >> "$log"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	s=$(printf '%s\n' "$out" | grep -c '^skipped ')
	printf '%s\n' "$out" | grep -E '^(not ok|skipped) '
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $st; its last lines:"
		printf '%s\n' "$out" | tail -n 15 | sed 's/^/    /'
	fi
	echo "$name: $p passed, $f failed$([ "$s" -gt 0 ] && echo ", $s skipped")"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
}

GRAMMAR=$(ls grammar/*.abnf)
LISTS="grammar/start.list grammar/captures.list"

t errors		"$B/tests/test_errors"
t esc			"$B/tests/test_esc"
t gen-lexer		"$B/tests/test_gen_lexer"
t gen-parse		"$B/tests/test_gen_parse"
t gen-cases		sh tests/test_gen_cases.sh "$B/tests/mwgen"
t gen-machines		"$B/tests/test_gen_machines" "$SENTENCES" $LISTS $GRAMMAR
t command		"$B/tests/test_command" tests/cases/command/*.in
t command-sentences	"$B/tests/test_command_sentences" "$SENTENCES" $LISTS $GRAMMAR
t parse-commands	sh tests/test_parse_cases.sh "$B/bin/mailwire-parse" commands
t reply			"$B/tests/test_reply" tests/cases/reply/*.txt
t parse-replies		sh tests/test_parse_cases.sh "$B/bin/mailwire-parse" replies
t base64		"$B/tests/test_base64"
t xtext-encode		"$B/tests/test_xtext_encode"
t crypto		"$B/tests/test_crypto"
t sasl			"$B/tests/test_sasl"
t sasl-cram		"$B/tests/test_sasl_cram"
t sasl-login		"$B/tests/test_sasl_login"
t sasl-external		"$B/tests/test_sasl_external"
t sasl-digest		"$B/tests/test_sasl_digest"
t sasl-oauth		"$B/tests/test_sasl_oauth"
t sasl-scram		"$B/tests/test_sasl_scram"
t gsasl			sh tests/test_gsasl.sh "$B/tests/sasl_peer"
t server		"$B/tests/test_server" tests/cases/server/*.txt
t client		"$B/tests/test_client" tests/cases/client/*.txt
t sink			env SINK="$B/bin/mailwire-sink" sh tests/test_sink.sh
t idle			env SINK="$B/bin/mailwire-sink" CONNS="$B/bench/conns" sh tests/test_idle.sh
t interop		env SINK="$B/bin/mailwire-sink" sh tests/test_interop.sh
t send			env SINK="$B/bin/mailwire-sink" SEND="$B/bin/mailwire-send" sh tests/test_send.sh
t send-interop		env SINK="$B/bin/mailwire-sink" SEND="$B/bin/mailwire-send" sh tests/test_send_interop.sh
t data			"$B/tests/test_data"
t data-portable		"$B/tests/test_data_portable"
t parse-data		sh -c "printf 'x\\n.\\nMAIL FROM:<a@b>\\r\\n.\\r\\n' | $B/bin/mailwire-parse data | grep -q '^{\"ok\":false,\"end\":24,\"length\":21,' && echo 'ok - mailwire-parse data: LF.LF does not end the message; its bare LF refuses it'"
t parse-encode		sh -c "[ \"\$(printf '.a\\nb' | $B/bin/mailwire-parse encode | od -An -tx1 | tr -d ' \\n')\" = 2e2e610d0a620d0a2e0d0a ] && echo 'ok - mailwire-parse encode: first line stuffed, LF sent as CRLF, CRLF added, then .CRLF'"
t grammar-vs-rfc	sh tests/test_rfc.sh "$B/tests/mwgen"
t reproducible		sh tests/test_repro.sh "$B/bin/mwgen"
t core-symbols		sh tests/test_core_symbols.sh "$B/libmailwire-core.a" "$B/tests/bad-core.a"
t clang-warnings	sh tests/test_clang.sh
t fuzz-replay-abnf	"$B/tests/replay_abnf" fuzz/corpus/abnf
t fuzz-replay-esc	"$B/tests/replay_esc" fuzz/corpus/esc
t fuzz-replay-command	"$B/tests/replay_command" fuzz/corpus/command
t fuzz-replay-data	"$B/tests/replay_data" fuzz/corpus/data
t fuzz-replay-server	"$B/tests/replay_server" fuzz/corpus/server
t fuzz-replay-sasl	"$B/tests/replay_sasl" fuzz/corpus/sasl
t fuzz-replay-client	"$B/tests/replay_client" fuzz/corpus/client
t fuzz-replay-reply	"$B/tests/replay_reply" fuzz/corpus/reply
t fuzz-replay-data-portable "$B/tests/replay_data_portable" fuzz/corpus/data
t readme		sh tests/test_readme.sh
t deps			sh tests/test_deps.sh
t recognize		sh -c "$B/bin/mailwire-recognize tests/cases/appendix-d/*.txt >/dev/null && echo 'ok - mailwire-recognize recognises every line of RFC 5321 Appendix D'"
t demo			sh -c "B=$B sh scripts/demo.sh >$B/demo.log 2>&1 && tail -1 $B/demo.log | grep -qx 'demo: ok' && grep -c ': delivered (250' $B/demo.log | grep -qx 2 && echo 'ok - make run: two messages sent over STARTTLS with SCRAM-SHA-256 and CRAM-MD5, delivered to the Maildir' || { tail -20 $B/demo.log; echo 'not ok - make run (scripts/demo.sh)'; }"

echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
