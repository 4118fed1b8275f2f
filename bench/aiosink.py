#!/usr/bin/python3
"""bench/aiosink.py ADDR:PORT: an aiosmtpd server (Debian's python3-aiosmtpd)
that accepts every message and discards it, for scripts/bench.sh. Prints
"listening on ADDR:PORT" when ready; runs until SIGTERM."""
import asyncio
import signal
import sys

from aiosmtpd.smtp import SMTP


class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 OK"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: aiosink.py ADDR:PORT")
    host, port = sys.argv[1].rsplit(":", 1)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    srv = loop.run_until_complete(loop.create_server(
        lambda: SMTP(Discard(), hostname="aiosink.invalid",
                     data_size_limit=64 << 20, enable_SMTPUTF8=False,
                     decode_data=False),
        host=host, port=int(port), backlog=1024))
    print("listening on %s:%s" % (host, port), flush=True)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    srv.close()


if __name__ == "__main__":
    main()
