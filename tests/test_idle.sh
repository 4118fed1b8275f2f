#!/bin/sh
# tests/test_idle.sh: idle sessions hold no engine buffer. mailwire-sink
# with N (2000) connections that read their greeting and stay idle: the
# growth of its VmRSS per connection must stay under sizeof(struct
# mw_server) + 16 KiB (the adapter's and the sink's bookkeeping, malloc's
# overhead), well under the MW_SERVER_BUF_SIZE buffer each would hold if
# idle sessions kept theirs (mw_server_detach, src/io_posix.c's pool).
# A property of what is allocated, not a timing.
#
#	SINK=build/bin/mailwire-sink CONNS=build/bench/conns sh tests/test_idle.sh
SINK=${SINK:-build/bin/mailwire-sink}
CONNS=${CONNS:-build/bench/conns}
N=${IDLE_CONNS:-2000}
CC=${CC:-cc}
LIB_NAME=idle
. tests/sink_lib.sh

if [ ! -x "$SINK" ] || [ ! -x "$CONNS" ]; then
	skip "$SINK and $CONNS are needed (make all build/bench/conns)"
	exit 0
fi
if [ ! -r /proc/self/status ]; then
	skip "no /proc"
	exit 0
fi
ulimit -n $((N + 200)) 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
lim=$(ulimit -n)
[ "$lim" = unlimited ] || [ "$lim" -ge $((N + 100)) ] || N=$((lim - 100))
if [ "$N" -lt 200 ]; then
	skip "RLIMIT_NOFILE is $lim"
	exit 0
fi

# sizeof(struct mw_server), from the header as built
printf '#include <stdio.h>\n#include <mailwire/server.h>\nint main(void)
{ printf("%%zu\\n", sizeof(struct mw_server)); return 0; }\n' >"$T/sz.c"
if $CC -std=c11 -Iinclude -o "$T/sz" "$T/sz.c" 2>"$T/cc.err"; then
	SZ=$("$T/sz")
else
	skip "cannot compile against include/mailwire/server.h"
	exit 0
fi

rss() { awk '/^VmRSS:/ { print $2 }' /proc/"$1"/status; }

if ! start sink --discard --listen 127.0.0.1:0 \
    --max-connections $((N + 100)); then
	notok "mailwire-sink starts"
	sed 's/^/#   /' "$T/sink.err" | head -5
	exit 1
fi
# the sink itself, not sink_lib's `timeout` wrapper
SPID=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | awk '{ print $1 }')
[ -n "$SPID" ] || SPID=$PID
rss0=$(rss $SPID)
mkfifo "$T/fifo"
timeout 120 "$CONNS" "127.0.0.1:$PORT" "$N" <"$T/fifo" >"$T/conns.out" \
    2>"$T/conns.err" &
CPID=$!
PIDS="$PIDS $CPID"
exec 4>"$T/fifo"
i=0
while ! grep -q '^open' "$T/conns.out" 2>/dev/null && kill -0 $CPID 2>/dev/null
do
	i=$((i + 1)); [ $i -gt 600 ] && break
	sleep 0.1
done
sleep 0.5
rss1=$(rss $SPID)
got=$(cat "$T/conns.out")
if [ "$got" = "open $N greeted $N" ]; then
	ok "$N connections greeted"
else
	notok "$N connections greeted (conns: $got)"
	sed 's/^/#   /' "$T/conns.err" | head -5
	exit 1
fi
per=$(( (rss1 - rss0) * 1024 / N ))
bound=$((SZ + 16384))
echo "# VmRSS $rss0 KiB, then $rss1 KiB: $per octets per idle connection" \
    "(sizeof(struct mw_server) $SZ, bound $bound)"
if [ "$per" -le "$bound" ]; then
	ok "idle connections hold no engine buffer ($per <= $bound octets each)"
else
	notok "idle connections hold no engine buffer ($per > $bound octets each)"
	exit 1
fi
