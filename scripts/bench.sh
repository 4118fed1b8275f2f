#!/bin/sh
# scripts/bench.sh [PART...]: mailwire's benchmarks (issue 9). `make bench
# BENCH_SECONDS=N` runs every part; each can run alone:
#
#   deps       install the peers from Debian's packages (as root; as anyone
#              else print what is missing and exit 1)
#   layers     command, reply and DATA layers, single thread, next to
#              memchr/memcpy over the same bytes in the same run
#   styles     the command and reply machines in Ragel -T0 -T1 -F1 -G2
#   callgrind  instructions per command, reply, KiB of DATA (fixed work)
#   e2e        mailwire-sink vs smtp-sink, go-smtp, aiosmtpd and a
#              no-parsing baseline, under Postfix's smtp-source
#   memory     sizeof the sessions and buffers; RSS of 10,000 idle sessions
#   footprint  .text/.rodata and per-session RAM on Cortex-M4
#   report     (re)assemble build/bench/results.md and results.png
#   all        deps, then every part, then report (the default)
#
# Every part writes build/bench/part-NAME.md and its target rows to
# build/bench/targets-NAME.tsv; report joins what is there, so a part run
# alone updates the results of the last full run. Comparisons alternate
# (A B A B ...) BENCH_ROUNDS times (default 5) and report medians and the
# min-max spread; BENCH_SECONDS (default 10) is each comparison's budget.
# Environment: B (build), BENCH_SECONDS, BENCH_ROUNDS, MAKE, CC,
# RAGEL_STYLE, RAGEL_STYLE_command, BENCH_STYLES, BENCH_CONNS (10000).
set -u

B=${B:-build}
S=${BENCH_SECONDS:-10}
R=${BENCH_ROUNDS:-5}
MAKE=${MAKE:-make}
RAGEL_STYLE=${RAGEL_STYLE:--G2}
RAGEL_STYLE_command=${RAGEL_STYLE_command:-$RAGEL_STYLE}
BENCH_STYLES=${BENCH_STYLES:-T0 T1 F1 G2}
NCONNS=${BENCH_CONNS:-10000}
O=$B/bench
# ports PORT0..PORT0+10 for the servers: below Linux's ephemeral range
# (32768-60999), which the tens of thousands of client connections use
PORT0=$((20000 + ($$ % 1200) * 10))
export LC_ALL=C

mkdir -p "$O"
case "$S" in ''|*[!0-9.]*) echo "bench: BENCH_SECONDS must be a number" >&2; exit 2 ;; esac

say() { printf '%s\n' "$*"; }
# parts print through tee, in a subshell: a flag file carries the failure out
die() { say "bench: $*" >&2; : >"$O/.failed"; exit 1; }
failed() { [ -e "$O/.failed" ] && { say "bench: stopped: a part failed" >&2; exit 1; }; }
build() { $MAKE --no-print-directory -s "$@" >"$O/make.log" 2>&1 || {
	cat "$O/make.log" >&2; die "make $* failed"; }; }
# calc EXPR: awk arithmetic, printed with %.4g unless FMT given
calc() { awk "BEGIN { printf \"${2:-%.4g}\", $1 }"; }
# median/min/max of the numbers on stdin: "median min max"
stats() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan nan nan"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.6g %.6g %.6g\n", m, v[1], v[NR] }'; }

# target PART NAME VALUE TARGET UNIT ge|le: one target row, printed and
# recorded. score = value/target (ge) or target/value (le): >= 1 is met.
target() {
	_p=$1 _n=$2 _v=$3 _t=$4 _u=$5 _d=$6
	_s=$(awk -v v="$_v" -v t="$_t" -v d="$_d" 'BEGIN {
		if (v + 0 <= 0) { print 0; exit }
		printf "%.4g", d == "ge" ? v / t : t / v }')
	_inv=$(calc "1 / ($_s + 1e-12)" %.2f)
	if awk -v s="$_s" 'BEGIN { exit !(s >= 1) }'; then
		[ "$_d" = ge ] && _verdict="met ($(calc "$_s" %.2f)x the target)" ||
		    _verdict="met (${_inv}x the limit)"
	else
		[ "$_d" = ge ] && _verdict="missed ($(calc "$_s" %.2f)x the target: ${_inv}x short)" ||
		    _verdict="missed (${_inv}x the limit)"
	fi
	[ "$_d" = ge ] && _op=">=" || _op="<="
	say "target: $_n: $_v $_u vs $_op $_t: $_verdict"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$_n" "$_v" "$_op" "$_t" "$_u" \
	    "$_s" "$_verdict" >>"$O/targets-$_p.tsv"
}

# --- deps ---------------------------------------------------------------
deps() {
	sh scripts/deps.sh bench || die "packages missing (scripts/deps.sh bench)"
}

# --- layers ---------------------------------------------------------------
layers() {
	build bench-bin
	: >"$O/targets-layers.tsv"
	{
	say "## Layers (single thread, thread CPU time)"
	say
	say "BENCH_SECONDS=$S. Each parser runs in alternating rounds with"
	say "memchr and memcpy over the same bytes in the same process."
	say
	# bench_command gives seconds/5 to each of its 5 cases
	"$O/bench_command" "$(calc "$S * 5")" >"$O/command.out" || die bench_command
	grep -v '^kv ' "$O/command.out"
	say
	say "Where the command parser's time goes: bench_machine, its generated"
	say "machine alone (the capture hooks doing nothing) over the mix, in turn"
	say "with mw_cmd_parse:"
	say
	say '```'
	"$O/bench_machine" "$S" >"$O/machine.out" || die bench_machine
	grep -v '^kv ' "$O/machine.out"
	say '```'
	say
	"$O/bench_reply" "$(calc "$S * 2")" >"$O/reply.out" || die bench_reply
	grep -v '^kv ' "$O/reply.out"
	say
	say "The EHLO target against a bound: bench_ceiling, a hand-written SSE2"
	say "line-at-a-time parser of the same replies (bench only; it must agree"
	say "with mw_reply_parse field by field before it is timed):"
	say
	"$O/bench_ceiling" "$S" >"$O/ceiling.out" || die bench_ceiling
	grep -v '^kv ' "$O/ceiling.out"
	say
	say '```'
	"$O/bench_data" "$(calc "$S * 3")" >"$O/data.out" || die bench_data
	grep -v '^kv ' "$O/data.out"
	say '```'
	say
	kv() { awk -v a="$1" -v b="$2" -v c="$3" '$1 == "kv" && $2 == a && $3 == b { print $c }' "$4"; }
	mix=$(kv command mix 4 "$O/command.out")
	mixg=$(kv command mix 5 "$O/command.out")
	chk=$(kv command mix_chunked 4 "$O/command.out")
	heavyg=$(kv command heavy 5 "$O/command.out")
	invg=$(kv command invalid 5 "$O/command.out")
	r1=$(kv reply single 4 "$O/reply.out")
	r10=$(kv reply ehlo 5 "$O/reply.out")
	dl2=$(awk '$1 == "kv" && $3 == "text" && $4 == "256K" { print $5 }' "$O/data.out")
	dram=$(awk '$1 == "kv" && $3 == "text" && $4 == "64M" { printf "%.3f", $5 / $8 }' "$O/data.out")
	eod=$(awk '$1 == "kv" && $3 == "text" && $4 == "256K" { print $6 }' "$O/data.out")
	stf=$(awk '$1 == "kv" && $3 == "stuffed" && $4 == "256K" { print $5 }' "$O/data.out")
	blk=$(awk '$1 == "kv" && $3 == "blank" && $4 == "256K" { print $5 }' "$O/data.out")
	enc=$(awk '$1 == "kv" && $3 == "text" && $4 == "256K" { print $7 }' "$O/data.out")
	say '```'
	target layers "command mix, M commands/s" "$mix" 45 "M cmd/s" ge
	target layers "command mix, GB/s" "$mixg" 1.5 GB/s ge
	target layers "command mix chunked/whole time" "$(calc "$mix / $chk")" 1.3 x le
	target layers "command heavy params, GB/s" "$heavyg" 1 GB/s ge
	target layers "command invalid lines, GB/s" "$invg" 1 GB/s ge
	target layers "reply single-line, M replies/s" "$r1" 50 "M/s" ge
	target layers "reply 10-line EHLO, GB/s" "$r10" 2.5 GB/s ge
	target layers "DATA decode 256 KiB (L2), GB/s" "$dl2" 12 GB/s ge
	target layers "DATA decode 64 MiB / memcpy" "$dram" 0.8 x ge
	target layers "DATA end of data 256 KiB, GB/s" "$eod" 30 GB/s ge
	target layers "DATA decode all-stuffed, GB/s" "$stf" 2 GB/s ge
	target layers "DATA decode blank lines, GB/s" "$blk" 1.5 GB/s ge
	target layers "DATA encode 256 KiB, GB/s" "$enc" 12 GB/s ge
	say '```'
	} | tee "$O/part-layers.md"
}

# --- styles ---------------------------------------------------------------
styles() {
	say "bench: building the machines in each style (slow: -G2 command is 1.5 MB of C)"
	build bench-styles BENCH_STYLES="$BENCH_STYLES"
	: >"$O/targets-styles.tsv"
	: >"$O/styles.raw"
	# each process run: a slice of the budget; styles alternate in turn
	per=$(calc "2 * $S / ($R * $(echo $BENCH_STYLES | wc -w))")
	for r in $(seq "$R"); do
		for st in $BENCH_STYLES; do
			"$O/styles/$st/bench_command" "$per" quick | sed "s/^/$st /" >>"$O/styles.raw"
			"$O/styles/$st/bench_reply" "$per" quick | sed "s/^/$st /" >>"$O/styles.raw"
		done
	done
	{
	say "## Ragel code styles (command and reply machines)"
	say
	say "Each style's machine is built into $O/styles/STYLE/ and linked"
	say "into bench_command/bench_reply; the processes alternate"
	say "($BENCH_STYLES, $R rounds, $per s each); medians, min-max."
	say "Object size is the machine's .text+.rodata+.data (size -A)."
	say
	say "| machine | case | style | median M/s | min-max M/s | GB/s | object KiB | vs fastest |"
	say "|---|---|---|---|---|---|---|---|"
	for m in command:mix command:heavy reply:single reply:ehlo; do
		mach=${m%%:*} case=${m#*:}
		best= bestv=0
		for st in $BENCH_STYLES; do
			v=$(awk -v s="$st" -v m="$mach" -v c="$case" '$1 == s && $3 == m && $4 == c { print $5 }' "$O/styles.raw" | stats)
			eval "v_$st=\"\$v\""
			med=${v%% *}
			if awk -v a="$med" -v b="$bestv" 'BEGIN { exit !(a > b) }'; then best=$st bestv=$med; fi
		done
		for st in $BENCH_STYLES; do
			eval "v=\$v_$st"
			set -- $v
			g=$(awk -v s="$st" -v m="$mach" -v c="$case" '$1 == s && $3 == m && $4 == c { print $6 }' "$O/styles.raw" | stats)
			kb=$(size -A "$O/styles/$st/$mach.o" | awk '$1 ~ /^\.(text|rodata|data)/ { t += $2 } END { printf "%.0f", t / 1024 }')
			say "| $mach | $case | -$st | $(calc "$1" %.2f) | $(calc "$2" %.2f)-$(calc "$3" %.2f) | $(calc "${g%% *}" %.3f) | $kb | $(calc "$bestv / $1" %.2f)x slower |" | sed 's/ 1.00x slower/ fastest/'
		done
		eval "best_$mach$case=$best; bestv_$mach$case=$bestv"
	done
	say
	say '```'
	for m in command:mix command:heavy reply:single reply:ehlo; do
		mach=${m%%:*} case=${m#*:}
		[ "$mach" = command ] && def=$RAGEL_STYLE_command || def=$RAGEL_STYLE
		eval "best=\$best_$mach$case bestv=\$bestv_$mach$case"
		d=${def#-}
		dv=$(awk -v s="$d" -v m="$mach" -v c="$case" '$1 == s && $3 == m && $4 == c { print $5 }' "$O/styles.raw" | stats)
		dv=${dv%% *}
		if [ "$best" = "$d" ]; then
			say "$mach/$case: fastest is -$best ($bestv M/s); the build's default $def is it"
		else
			say "$mach/$case: fastest is -$best ($bestv M/s); the build's default $def ($dv M/s) is $(calc "$bestv / $dv" %.2f)x slower"
		fi
		target styles "default style $def vs fastest, $mach/$case" "$dv" "$bestv" "M/s" ge
	done
	say '```'
	} | tee "$O/part-styles.md"
}

# --- callgrind ------------------------------------------------------------
callgrind() {
	build bench-bin
	: >"$O/targets-callgrind.tsv"
	n=50
	{
	say "## Instruction counts (callgrind, fixed work)"
	say
	say "\`valgrind --tool=callgrind --toggle-collect=work bench_count WHAT $n\`:"
	say "only work() and its callees count (no start-up); the same inputs"
	say "as the timed benchmarks, $n passes over 16 KiB (commands, replies)"
	say "or 64 KiB (DATA, 78-column text, 2% stuffed)."
	say
	say "| what | instructions | units | instructions per unit | per octet |"
	say "|---|---|---|---|---|"
	for w in command heavy reply ehlo decode encode; do
		valgrind --tool=callgrind --toggle-collect=work \
		    --callgrind-out-file="$O/callgrind.$w.out" \
		    "$O/bench_count" "$w" "$n" >"$O/count.$w.txt" 2>"$O/count.$w.err" ||
		    die "callgrind $w failed: $(tail -3 "$O/count.$w.err")"
		ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$O/callgrind.$w.out")
		set -- $(cat "$O/count.$w.txt")	# units U NAME octets K
		per=$(calc "$ir / $2" %.1f)
		oct=$(calc "$ir / ($5 * $n)" %.2f)
		case $w in
		command) label="command, realistic mix" ;;
		heavy) label="command, heavy parameters" ;;
		reply) label="reply, single-line mix" ;;
		ehlo) label="reply, 10-line EHLO decoded" ;;
		decode) label="DATA decode, per wire KiB" ;;
		encode) label="DATA encode, per body KiB" ;;
		esac
		say "| $label | $ir | $2 $3 | $per | $oct |"
	done
	say
	say "Per-function top 10 for the command parser (realistic mix; self"
	say "instructions, a function's .rl and generated .c lines added up;"
	say "also in $O/callgrind.txt):"
	say
	say '```'
	# callgrind_annotate splits a function by source file (a Ragel
	# machine's lines are in the .rl and the generated .c): add them up
	callgrind_annotate --inclusive=no --threshold=100 --auto=no "$O/callgrind.command.out" 2>/dev/null |
	    sed -n '/file:function/,/^$/p' | awk -v tot="$(awk '/^(summary|totals):/ { print $2; exit }' "$O/callgrind.command.out")" '
	    /PROGRAM TOTALS/ { next }
	    /^ *[0-9,]+ \( *[0-9.]+%\) / { n = $1; gsub(/,/, "", n); sub(/^ *[0-9,]+ \( *[0-9.]+%\) +/, "")
		sub(/ \[.*\]$/, ""); f = $0; sub(/.*:/, "", f); ir[f] += n }
	    END { for (f in ir) printf "%12d %5.1f%%  %s\n", ir[f], 100 * ir[f] / tot, f }' |
	    sort -k1,1nr | head -10 | tee "$O/callgrind.top"
	say '```'
	} | tee "$O/part-callgrind.md"
	{
		say "callgrind: command parser, realistic mix, $n x 16 KiB"
		say "(valgrind --tool=callgrind --toggle-collect=work $O/bench_count command $n)"
		say
		say "top 10 functions, self instructions (a function's lines in"
		say "the .rl and the generated .c added up):"
		say "          Ir  share  function"
		cat "$O/callgrind.top"
		say
		say "callgrind_annotate --inclusive=no (by file:function):"
		callgrind_annotate --inclusive=no "$O/callgrind.command.out" 2>/dev/null |
		    sed -n '/file:function/,/^$/p' | head -20
	} >"$O/callgrind.txt"
}

# --- e2e ------------------------------------------------------------------
# cpu PID: the CPU time of every thread of PID, in ns (schedstat: exact,
# where /proc/PID/stat counts 10 ms ticks)
cpu() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f", t }'; }

# probe PORT: is something listening? (bash's /dev/tcp)
probe() { bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

e2e() {
	build bench-bin all "$B/bench/gosink"
	: >"$O/targets-e2e.tsv"
	: >"$O/peers.tsv"
	: >"$O/e2e.raw"
	servers="mailwire smtp-sink go-smtp aiosmtpd nullsink"
	p=$PORT0
	for s in $servers; do eval "port_$(echo "$s" | tr - _)=$p"; p=$((p + 1)); done
	user=; [ "$(id -u)" -eq 0 ] && user="-u nobody"
	pids=
	startsrv() {
		_n=$1 _port=$2; shift 2
		"$@" >"$O/e2e.$_n.log" 2>&1 &
		_pid=$!
		pids="$pids $_pid"
		eval "pid_$(echo "$_n" | tr - _)=$_pid"
		i=0
		until probe "$_port"; do
			i=$((i + 1))
			if [ $i -gt 100 ] || ! kill -0 "$_pid" 2>/dev/null; then
				cat "$O/e2e.$_n.log" >&2
				stopall
				die "$_n did not start"
			fi
			sleep 0.1
		done
	}
	stopall() { for p in $pids; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; pids=; }
	trap 'stopall' EXIT INT TERM
	startsrv mailwire "$port_mailwire" "$B/bin/mailwire-sink" --discard \
	    --listen "127.0.0.1:$port_mailwire" --max-connections 4096
	# shellcheck disable=SC2086
	startsrv smtp-sink "$port_smtp_sink" /usr/sbin/smtp-sink $user -m 1024 \
	    "127.0.0.1:$port_smtp_sink" 1024
	startsrv go-smtp "$port_go_smtp" "$B/bench/gosink" "127.0.0.1:$port_go_smtp"
	startsrv aiosmtpd "$port_aiosmtpd" /usr/bin/python3 bench/aiosink.py "127.0.0.1:$port_aiosmtpd"
	startsrv nullsink "$port_nullsink" "$B/bench/nullsink" "127.0.0.1:$port_nullsink"
	small=$(calc "int(800 * $S)" %d)
	large=$(calc "int(16 * $S)" %d)
	[ "$small" -lt 500 ] && small=500
	[ "$large" -lt 20 ] && large=20
	# small: a session a message (connection set-up dominates); reuse:
	# -d, every session sends its messages over one connection (the
	# protocol work dominates); large: 1 MiB bodies (the DATA path)
	loads="small:-s:100:-m:$small:-l:1000 reuse:-d:-s:100:-m:$((small * 2)):-l:1000 large:-s:10:-m:$large:-l:1048576"
	say "bench: e2e: $R rounds of $servers; $small 1000-octet and $large 1 MiB messages a run"
	for r in $(seq "$R"); do
		for ld in $loads; do
			name=${ld%%:*}
			flags=$(echo "${ld#*:}" | tr : ' ')
			for s in $servers; do
				v=$(echo "$s" | tr - _)
				eval "port=\$port_$v pid=\$pid_$v"
				c0=$(cpu "$pid")
				t0=$(date +%s.%N)
				# shellcheck disable=SC2086
				/usr/sbin/smtp-source $flags "127.0.0.1:$port" >"$O/e2e.source.log" 2>&1 ||
				    say "bench: smtp-source to $s failed: $(tail -1 "$O/e2e.source.log")" >&2
				t1=$(date +%s.%N)
				c1=$(cpu "$pid")
				m=$(echo "$flags" | awk '{ for (i = 1; i < NF; i++) if ($i == "-m") print $(i + 1) }')
				printf '%s %s %s %s %s\n' "$name" "$s" "$m" \
				    "$(calc "$t1 - $t0" %.6f)" "$(calc "($c1 - $c0) / 1e9" %.6f)" >>"$O/e2e.raw"
			done
		done
	done
	{
	say "## End to end, server side"
	say
	say "Postfix's smtp-source drives each server with the same flags,"
	say "servers in turn ($servers), $R rounds;"
	say "small: \`-s 100 -m $small -l 1000\` (a new session for each message, as"
	say "smtp-source does without -d); reuse: \`-d -s 100 -m $((small * 2)) -l 1000\`"
	say "(100 sessions, each sending its share over one connection);"
	say "large: \`-s 10 -m $large -l 1048576\`. Server CPU:"
	say "the sum of /proc/PID/task/*/schedstat over the run (ns; all threads)."
	say "msg/s is wall time, with smtp-source on the same 2 cores."
	say
	say "| load | server | msg/s median | msg/s min-max | server CPU us/msg median | min-max | msgs per server CPU-s | mailwire / this |"
	say "|---|---|---|---|---|---|---|---|"
	for ld in $loads; do
		name=${ld%%:*}
		mwc=
		for s in $servers; do
			set -- $(awk -v n="$name" -v s="$s" '$1 == n && $2 == s { print $3 / $4 }' "$O/e2e.raw" | stats)
			rate="$1" rlo="$2" rhi="$3"
			set -- $(awk -v n="$name" -v s="$s" '$1 == n && $2 == s { print 1e6 * $5 / $3 }' "$O/e2e.raw" | stats)
			cpm="$1" clo="$2" chi="$3"
			[ "$s" = mailwire ] && mwc=$cpm
			ratio=$(calc "$cpm / $mwc" %.2f)
			say "| $name | $s | $(calc "$rate" %.0f) | $(calc "$rlo" %.0f)-$(calc "$rhi" %.0f) | $(calc "$cpm" %.1f) | $(calc "$clo" %.1f)-$(calc "$chi" %.1f) | $(calc "1e6 / $cpm" %.0f) | $ratio |"
			[ "$s" = nullsink ] && peer="nullsink (no-parsing baseline)" || peer=$s
			[ "$s" != mailwire ] && printf '%s\t%s\n' "$name: mailwire / $peer" "$ratio" >>"$O/peers.tsv"
		done
	done
	say
	e2e_targets
	say
	say "Client side (bench/mwsource: the client engine as a load generator):"
	say
	say "| comparison | result |"
	say "|---|---|"
	e2e_client
	} | tee "$O/part-e2e.md"
	stopall
	trap - EXIT INT TERM
}

# The client side: bench/mwsource (the client engine as a load
# generator, as many sessions and messages as smtp-source -s/-m, each
# session reusing its connection as smtp-source -d does) against
# smtp-source, both sending to smtp-sink, with PIPELINING and without
# (mwsource -P: smtp-source has no pipelining); then mwsource to
# mailwire-sink against mwsource to nullsink, the no-parsing baseline: the
# practical limit of our client with our server. msg/s of wall time.
e2e_client() {
	p=$((PORT0 + 7))
	user=; [ "$(id -u)" -eq 0 ] && user="-u nobody"
	# shellcheck disable=SC2086
	startsrv c-smtp-sink "$p" /usr/sbin/smtp-sink $user -m 1024 "127.0.0.1:$p" 1024
	startsrv c-mailwire "$((p + 1))" "$B/bin/mailwire-sink" --discard \
	    --listen "127.0.0.1:$((p + 1))" --max-connections 4096
	startsrv c-nullsink "$((p + 2))" "$B/bench/nullsink" "127.0.0.1:$((p + 2))"
	m1=$(calc "int(2000 * $S)" %d)
	m100=$(calc "int(8000 * $S)" %d)
	: >"$O/e2e-client.raw"
	for r in $(seq "$R"); do
		for cs in "1:$m1" "100:$m100"; do
			ss=${cs%%:*} mm=${cs#*:}
			for c in source mw mw-P; do
				t0=$(date +%s.%N)
				case $c in
				source) /usr/sbin/smtp-source -d -s "$ss" -m "$mm" -l 1000 \
				    "127.0.0.1:$p" >"$O/e2e.client.log" 2>&1 ;;
				mw) "$B/bench/mwsource" -s "$ss" -m "$mm" -l 1000 \
				    "127.0.0.1:$p" >"$O/e2e.client.log" 2>&1 ;;
				mw-P) "$B/bench/mwsource" -P -s "$ss" -m "$mm" -l 1000 \
				    "127.0.0.1:$p" >"$O/e2e.client.log" 2>&1 ;;
				esac || say "bench: $c -s $ss failed: $(tail -1 "$O/e2e.client.log")" >&2
				t1=$(date +%s.%N)
				printf 'sink%s %s %s\n' "$ss" "$c" "$(calc "$mm / ($t1 - $t0)" %.1f)" >>"$O/e2e-client.raw"
			done
		done
		for d in "mailwire:$((p + 1))" "nullsink:$((p + 2))"; do
			t0=$(date +%s.%N)
			"$B/bench/mwsource" -s 100 -m "$m100" -l 1000 "127.0.0.1:${d#*:}" \
			    >"$O/e2e.client.log" 2>&1 ||
			    say "bench: mwsource to ${d%%:*} failed: $(tail -1 "$O/e2e.client.log")" >&2
			t1=$(date +%s.%N)
			printf 'own %s %s\n' "${d%%:*}" "$(calc "$m100 / ($t1 - $t0)" %.1f)" >>"$O/e2e-client.raw"
		done
	done
	stopall
	crate() { awk -v l="$1" -v c="$2" '$1 == l && $2 == c { print $3 }' "$O/e2e-client.raw" | stats; }
	for ss in 1 100; do
		set -- $(crate "sink$ss" source); src=$1 slo=$2 shi=$3
		set -- $(crate "sink$ss" mw); mw=$1 mlo=$2 mhi=$3
		set -- $(crate "sink$ss" mw-P); mwp=$1 plo=$2 phi=$3
		say "| $ss session(s), 1000-octet messages to smtp-sink: msg/s | smtp-source -d $(calc "$src" %.0f) ($(calc "$slo" %.0f)-$(calc "$shi" %.0f)); mwsource $(calc "$mw" %.0f) ($(calc "$mlo" %.0f)-$(calc "$mhi" %.0f)), $(calc "$mw / $src" %.2f)x; without PIPELINING $(calc "$mwp" %.0f) ($(calc "$plo" %.0f)-$(calc "$phi" %.0f)), $(calc "$mwp / $src" %.2f)x |"
		[ "$ss" = 1 ] && want=3 || want=2
		target e2e "client with PIPELINING vs smtp-source, $ss session(s) (msg/s ratio)" \
		    "$(calc "$mw / $src" %.3f)" "$want" x ge 
		printf '%s\t%s\n' "client, $ss session(s): mwsource / smtp-source" \
		    "$(calc "$mw / $src" %.2f)" >>"$O/peers.tsv"
	done
	set -- $(crate own mailwire); own=$1 olo=$2 ohi=$3
	set -- $(crate own nullsink); nul=$1 nlo=$2 nhi=$3
	say "| mwsource -s 100 to mailwire-sink vs to nullsink (no-parsing baseline): msg/s | $(calc "$own" %.0f) ($(calc "$olo" %.0f)-$(calc "$ohi" %.0f)) vs $(calc "$nul" %.0f) ($(calc "$nlo" %.0f)-$(calc "$nhi" %.0f)): $(calc "$own / $nul" %.2f)x |"
	target e2e "our client to our sink vs the no-parsing baseline (msg/s ratio)" \
	    "$(calc "$own / $nul" %.3f)" 0.9 x ge
}

# e2e_targets: the server-side targets of issue 9 from $O/e2e.raw
e2e_targets() {
	med() {	# med LOAD SERVER: "msg/s CPU-us/msg" medians
		r=$(awk -v n="$1" -v s="$2" '$1 == n && $2 == s { print $3 / $4 }' "$O/e2e.raw" | stats)
		c=$(awk -v n="$1" -v s="$2" '$1 == n && $2 == s { print 1e6 * $5 / $3 }' "$O/e2e.raw" | stats)
		echo "${r%% *} ${c%% *}"
	}
	for ld in small reuse large; do
		set -- $(med "$ld" mailwire); mr=$1 mc=$2
		set -- $(med "$ld" smtp-sink); sr=$1 sc=$2
		target e2e "mailwire-sink CPU per message vs smtp-sink's, $ld load" \
		    "$(calc "$mc / $sc" %.3f)" 0.4 x le
		[ "$ld" = large ] && target e2e "mailwire-sink msg/s vs smtp-sink's, 1 MiB messages" \
		    "$(calc "$mr / $sr" %.3f)" 3 x ge
		for peer in go-smtp aiosmtpd; do
			set -- $(med "$ld" "$peer"); pc=$2
			target e2e "messages per CPU-second vs $peer, $ld load" \
			    "$(calc "$pc / $mc" %.3f)" 5 x ge
		done
	done
}

# --- memory ---------------------------------------------------------------
rss() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status; }

memory() {
	build bench-bin all
	: >"$O/targets-memory.tsv"
	"$O/bench_memory" >"$O/memory.out" || die bench_memory
	kvm() { awk -v k="$1" '$1 == "kv" && $2 == "mem" && $3 == k { print $4 }' "$O/memory.out"; }
	ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
	lim=$(ulimit -n)
	n=$NCONNS
	[ "$lim" -lt $((n + 100)) ] && { say "bench: RLIMIT_NOFILE is $lim: holding $((lim - 100)) connections, not $n" >&2; n=$((lim - 100)); }
	port=$((PORT0 + 10))
	"$B/bin/mailwire-sink" --discard --listen "127.0.0.1:$port" \
	    --max-connections $((n + 100)) >"$O/memory.sink.log" 2>&1 &
	spid=$!
	i=0
	until probe "$port"; do
		i=$((i + 1)); [ $i -gt 100 ] && { kill $spid; die "mailwire-sink did not start"; }
		sleep 0.1
	done
	rss0=$(rss $spid)
	mkfifo "$O/conns.fifo" 2>/dev/null || { rm -f "$O/conns.fifo"; mkfifo "$O/conns.fifo"; }
	# (the old output must go first: the child truncates it only once the
	# fifo is open, and a stale "open N" would end the wait at once)
	rm -f "$O/conns.out" "$O/conns.err"
	"$O/conns" "127.0.0.1:$port" "$n" <"$O/conns.fifo" >"$O/conns.out" 2>"$O/conns.err" &
	cpid=$!
	exec 4>"$O/conns.fifo"		# holds the client's stdin open
	i=0
	while ! grep -q '^open' "$O/conns.out" 2>/dev/null && kill -0 $cpid 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 1200 ] && break
		sleep 0.1
	done
	sleep 1
	rss1=$(rss $spid)
	hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$spid/status)
	opened=$(cat "$O/conns.out")
	exec 4>&-
	kill $cpid $spid 2>/dev/null
	wait $cpid $spid 2>/dev/null
	rm -f "$O/conns.fifo"
	{
	say "## Memory"
	say
	grep -v '^kv ' "$O/memory.out"
	say
	say "mailwire-sink --discard holding idle connections (bench/conns: each"
	say "connection reads its 220 greeting, then stays idle):"
	say
	say "| | value |"
	say "|---|---|"
	say "| connections (conns says) | $opened |"
	say "| VmRSS before | $rss0 KiB |"
	say "| VmRSS with them | $rss1 KiB ($(calc "$rss1 / 1024" %.1f) MiB) |"
	say "| per connection | $(calc "($rss1 - $rss0) * 1024 / $n" %.0f) octets |"
	say "| VmHWM | $hwm KiB |"
	say
	say '```'
	target memory "server session: sizeof + MW_SERVER_BUF_SIZE" "$(kvm server_session)" 8192 octets le
	target memory "client session: sizeof + MW_CLIENT_BUF_SIZE" "$(kvm client_session)" 8192 octets le
	target memory "sizeof(struct mw_server)" "$(kvm mw_server)" 8192 octets le
	target memory "sizeof(struct mw_client)" "$(kvm mw_client)" 8192 octets le
	target memory "mailwire-sink RSS, $n idle connections" "$(calc "$rss1 / 1024" %.1f)" 128 MiB le
	say '```'
	} | tee "$O/part-memory.md"
}

# --- footprint -------------------------------------------------------------
footprint() {
	command -v arm-none-eabi-gcc >/dev/null || die "no arm-none-eabi-gcc (scripts/bench.sh deps)"
	build all
	: >"$O/targets-footprint.tsv"
	F=$O/footprint
	rm -rf "$F" && mkdir -p "$F/obj"
	ACC="arm-none-eabi-gcc -std=c11 -Os -mcpu=cortex-m4 -mthumb -ffunction-sections -fdata-sections"
	# the core's sources: hand-written C, and Ragel's output of the machines
	srcs=$($MAKE --no-print-directory -s bench-print-core)
	for f in $srcs; do
		$ACC -w -Iinclude -Isrc -I"$B/gen" -c -o "$F/obj/$(basename "$f" .c).o" "$f" ||
		    die "arm-none-eabi-gcc $f failed"
	done
	$ACC -Iinclude -c -o "$F/sizes.o" bench/footprint_sizes.c || die "footprint_sizes.c"
	$ACC -Iinclude -c -o "$F/client_main.o" bench/footprint_client.c || die "footprint_client.c"
	printf 'int main(void) { return 0; }\n' >"$F/empty.c"
	LD="arm-none-eabi-gcc -Os -mcpu=cortex-m4 -mthumb --specs=nosys.specs -Wl,--gc-sections"
	$LD -o "$F/empty.elf" "$F/empty.c" || die "link empty"
	$LD -Wl,-Map="$F/client.map" -o "$F/client.elf" "$F/client_main.o" "$F"/obj/*.o ||
	    die "link client profile"
	sec() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { print $2 + 0 }'; }
	et=$(sec "$F/empty.elf" .text) er=$(sec "$F/empty.elf" .rodata)
	ct=$(sec "$F/client.elf" .text) cr=$(sec "$F/client.elf" .rodata)
	ct_ours=$((ct - et)) cr_ours=$((cr - ${er:-0}))
	# the client profile with the reply machine in the other Ragel styles
	: >"$F/styles.txt"
	for st in $BENCH_STYLES; do
		[ "-$st" = "$RAGEL_STYLE" ] && continue
		build "$B/bench/styles/$st/reply.c"
		$ACC -w -Iinclude -Isrc -I"$B/gen" -c -o "$F/reply-$st.o" "$B/bench/styles/$st/reply.c" ||
		    die "arm-none-eabi-gcc reply -$st failed"
		$LD -o "$F/client-$st.elf" "$F/client_main.o" "$F/reply-$st.o" \
		    $(ls "$F"/obj/*.o | grep -v '/reply\.o$') || die "link client -$st"
		printf '%s %s %s\n' "$st" $(( $(sec "$F/client-$st.elf" .text) - et )) \
		    $(( $(sec "$F/client-$st.elf" .rodata) - ${er:-0} )) >>"$F/styles.txt"
	done
	# everything: every object's sections, no garbage collection
	at=0 ar=0
	for o in "$F"/obj/*.o; do
		t=$(arm-none-eabi-size -A "$o" | awk '$1 ~ /^\.text/ { t += $2 } END { print t + 0 }')
		r=$(arm-none-eabi-size -A "$o" | awk '$1 ~ /^\.rodata/ { t += $2 } END { print t + 0 }')
		at=$((at + t)) ar=$((ar + r))
		printf '%s %s %s\n' "$(basename "$o" .o)" "$t" "$r"
	done >"$F/objects.txt"
	# per object, what the client profile's link kept (from the map)
	awk '
	function hex(s,  i, n) { n = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n }
	/^Linker script and memory map/ { kept = 1 }
	kept && /^ \.(text|rodata)/ { sec = $1; if (NF >= 4) { file = $4; size = $3 } else { getline; file = $3; size = $2 }
		if (file ~ /footprint\/(obj\/|client_main)/) { n = file; sub(/.*\//, "", n); sub(/\.o$/, "", n)
			if (sec ~ /^\.text/) t[n] += hex(size); else r[n] += hex(size) } }
	END { for (n in t) printf "%s %d %d\n", n, t[n], r[n] + 0; for (n in r) if (!(n in t)) printf "%s 0 %d\n", n, r[n] }
	' "$F/client.map" | sort -k2,2nr >"$F/client-kept.txt"
	arm-none-eabi-nm -S -p "$F/sizes.o" | awk 'function hex(s,  i, n) { n = 0; s = tolower(s); sub(/^0x/, "", s); for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n } $4 ~ /^mwsz_/ { n = $4; sub(/^mwsz_/, "", n); sub(/__/, ".", n); printf "%s %d\n", n, hex($2) }' >"$F/sizes.txt"
	armsz() { awk -v k="$1" '$1 == k { print $2 }' "$F/sizes.txt"; }
	cli=$(armsz mw_client) cbuf=$(armsz MW_CLIENT_BUF_SIZE)
	{
	say "## Embedded footprint (arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion), Cortex-M4, -Os)"
	say
	say "\`$ACC\`; the Ragel machines from $B/src/*.c (the build's styles)."
	say "Client profile: bench/footprint_client.c (a main that drives"
	say "mw_client_* with SASL credentials) linked with every core object,"
	say "\`--specs=nosys.specs -Wl,--gc-sections\`, minus an empty main's"
	say "newlib start-up ($et .text, ${er:-0} .rodata)."
	say "Everything: the sum over every core object, no garbage collection."
	say
	say "| profile | .text | .rodata | flash (.text+.rodata) |"
	say "|---|---|---|---|"
	say "| client profile (linked, GC), the build's styles | $ct_ours ($(calc "$ct_ours / 1024" %.1f) KiB) | $cr_ours ($(calc "$cr_ours / 1024" %.1f) KiB) | $(calc "($ct_ours + $cr_ours) / 1024" %.1f) KiB |"
	while read -r st t r; do
		say "| client profile, reply machine in -$st | $t ($(calc "$t / 1024" %.1f) KiB) | $r ($(calc "$r / 1024" %.1f) KiB) | $(calc "($t + $r) / 1024" %.1f) KiB |"
	done <"$F/styles.txt"
	say "| everything (all core objects, no GC) | $at ($(calc "$at / 1024" %.1f) KiB) | $ar ($(calc "$ar / 1024" %.1f) KiB) | $(calc "($at + $ar) / 1024" %.1f) KiB |"
	say
	say "What the client profile's link kept, by object (.text .rodata, octets):"
	say
	say '```'
	cat "$F/client-kept.txt"
	say '```'
	say
	say "Every core object, unlinked (.text .rodata):"
	say
	say '```'
	sort -k2,2nr "$F/objects.txt"
	say '```'
	say
	say "Per-session RAM, client profile, on the target (sizeof via nm -S of"
	say "bench/footprint_sizes.c):"
	say
	say "| structure / member | octets |"
	say "|---|---|"
	grep -v '^mw_server\|^MW_SERVER' "$F/sizes.txt" | sort | awk '{ printf "| %s | %d |\n", $1, $2 }'
	say
	say '```'
	target footprint "client profile .text (ARM)" "$ct_ours" 49152 octets le
	best=$(sort -k2,2n "$F/styles.txt" | head -1)
	[ -n "$best" ] && target footprint "client profile .text (ARM), reply machine in -${best%% *} (.rodata then $(echo "$best" | awk '{ printf "%.1f", $3 / 1024 }') KiB)" "$(echo "$best" | awk '{ print $2 }')" 49152 octets le
	target footprint "client session RAM: sizeof(mw_client) + MW_CLIENT_BUF_SIZE (ARM)" "$((cli + cbuf))" 4096 octets le
	target footprint "sizeof(struct mw_client) alone (ARM)" "$cli" 4096 octets le
	say '```'
	say
	say "Blame for the RAM miss (struct mw_client on ARM, largest members):"
	say
	say '```'
	grep '^mw_client\.' "$F/sizes.txt" | sort -k2,2nr | awk -v t="$cli" '{ printf "%-22s %6d  %4.1f%% of the struct\n", $1, $2, 100 * $2 / t }'
	say "MW_CLIENT_BUF_SIZE     $cbuf  (include/mailwire/client.h: MW_CLIENT_OUT_SIZE + MW_CLIENT_BODY_SIZE + MW_REPLY_TOTAL_MAX)"
	say '```'
	} | tee "$O/part-footprint.md"
}

# --- report ----------------------------------------------------------------
report() {
	md=$O/results.md
	{
	say "# mailwire benchmarks"
	say
	say "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $(nproc) cores, $(${CC:-cc} --version | head -1);"
	say "BENCH_SECONDS=$S, BENCH_ROUNDS=$R. Written by scripts/bench.sh."
	say
	say "## Targets"
	say
	say "| target | measured | target | verdict |"
	say "|---|---|---|---|"
	for p in layers styles callgrind e2e memory footprint; do
		[ -s "$O/targets-$p.tsv" ] || continue
		awk -F '\t' '{ printf "| %s | %s %s | %s %s %s | %s |\n", $1, $2, $5, $3, $4, $5, $7 }' "$O/targets-$p.tsv"
	done
	say
	for p in layers styles callgrind e2e memory footprint; do
		[ -s "$O/part-$p.md" ] || continue
		cat "$O/part-$p.md"
		say
	done
	} >"$md"
	say "written: $md"
	chart
}

chart() {
	command -v gnuplot >/dev/null || { say "bench: no gnuplot: no chart" >&2; return 0; }
	for p in layers styles callgrind e2e memory footprint; do
		cat "$O/targets-$p.tsv" 2>/dev/null
	done | awk -F '\t' '$6 > 0 { printf "%d\t%s\t%s\n", NR - 1, $6, $1 }' >"$O/chart-targets.dat"
	awk -F '\t' '{ printf "%d\t%s\t%s\n", NR - 1, $2, $1 }' "$O/peers.tsv" 2>/dev/null >"$O/chart-peers.dat"
	nt=$(wc -l <"$O/chart-targets.dat")
	np=$(wc -l <"$O/chart-peers.dat")
	[ "$nt" -eq 0 ] && [ "$np" -eq 0 ] && return 0
	h=$(( (nt + np) * 24 + 260 ))
	{
	say "set terminal pngcairo size 1400,$h font 'DejaVu Sans,11' noenhanced"
	say "set output '$O/results.png'"
	say "set datafile separator '\t'"
	say "set style fill solid 0.85 border -1"
	say "set logscale x 10"
	say "set grid xtics"
	# a decade beyond the smallest and largest ratio, at least 0.1-10
	xr=$(cat "$O/chart-targets.dat" "$O/chart-peers.dat" | awk -F '\t' '
	    BEGIN { lo = 0.1; hi = 10 } $2 > 0 { if ($2 < lo) lo = $2; if ($2 > hi) hi = $2 }
	    END { a = 1; while (a > lo * 1.5) a /= 10; b = 1; while (b < hi * 2.5) b *= 10; printf "%g:%g", a, b }')
	say "set xrange [$xr]"
	say "set xtics ('0.001' 0.001, '0.01' 0.01, '0.1' 0.1, '0.5' 0.5, '1' 1, '2' 2, '10' 10, '100' 100, '1000' 1000)"
	say "unset key"
	say "set lmargin 62"
	say "set rmargin 4"
	tot=$((nt + np))
	say "set multiplot"
	if [ "$nt" -gt 0 ]; then
		frac=$(calc "($nt + 3.0) / ($tot + 6.0)" %.3f)
		say "set size 1,$frac"
		say "set origin 0,$(calc "1 - $frac" %.3f)"
		say "set title 'mailwire vs its targets: measured / target (log scale; right of 1 = met, left = missed)' font ',13'"
		say "set yrange [$nt-0.3:-0.7]"
		say "set ytics scale 0 font ',10'"
		say "set arrow 1 from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb 'black' front"
		say "plot '$O/chart-targets.dat' using (sqrt(\$2)):1:(\$2 < 1 ? \$2 : 1):(\$2 < 1 ? 1 : \$2):(\$1-0.35):(\$1+0.35):(\$2 >= 1 ? 0x2e8b57 : 0xcc3333):ytic(3) with boxxyerror lc rgb variable, \\"
		say "     '' using (\$2 >= 1 ? \$2*1.06 : 1/0):1:(sprintf('%.2fx', \$2)) with labels font ',9' left, \\"
		say "     '' using (\$2 < 1 ? \$2/1.06 : 1/0):1:(sprintf('%.2fx', \$2)) with labels font ',9' right"
		say "unset arrow 1"
	fi
	if [ "$np" -gt 0 ]; then
		frac=$(calc "($np + 3.0) / ($tot + 6.0)" %.3f)
		say "set size 1,$frac"
		say "set origin 0,0"
		say "set title 'end to end: messages per server CPU-second, mailwire-sink / other (right of 1 = mailwire cheaper)' font ',13'"
		say "set yrange [$np-0.3:-0.7]"
		say "set arrow 2 from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb 'black' front"
		say "plot '$O/chart-peers.dat' using (sqrt(\$2)):1:(\$2 < 1 ? \$2 : 1):(\$2 < 1 ? 1 : \$2):(\$1-0.35):(\$1+0.35):(\$2 >= 1 ? 0x3366cc : 0xcc8833):ytic(3) with boxxyerror lc rgb variable, \\"
		say "     '' using (\$2 >= 1 ? \$2*1.06 : 1/0):1:(sprintf('%.2fx', \$2)) with labels font ',9' left, \\"
		say "     '' using (\$2 < 1 ? \$2/1.06 : 1/0):1:(sprintf('%.2fx', \$2)) with labels font ',9' right"
	fi
	say "unset multiplot"
	} >"$O/results.gp"
	gnuplot "$O/results.gp" 2>"$O/gnuplot.err" && say "written: $O/results.png" ||
	    { cat "$O/gnuplot.err" >&2; say "bench: gnuplot failed" >&2; }
}

[ $# -eq 0 ] && set -- all
rm -f "$O/.failed"
for part in "$@"; do
	case $part in
	deps|layers|styles|callgrind|e2e|memory|footprint|report) ;;
	all) ;;
	*) die "unknown part $part (deps layers styles callgrind e2e memory footprint report all)" ;;
	esac
done
for part in "$@"; do
	case $part in
	all)
		deps
		start=$(date +%s)
		for p in layers styles callgrind e2e memory footprint; do
			say "bench: --- $p"
			$p
			failed
		done
		report
		say "bench: all parts in $(( $(date +%s) - start )) s"
		;;
	deps) deps ;;
	report) report ;;
	*) deps; $part; failed; report ;;
	esac
done
