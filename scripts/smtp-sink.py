#!/usr/bin/env python3
"""A real SMTP server on loopback for the tests (aiosmtpd, from PyPI).

Every mail it receives is written to DIR as one `.eml` file (written whole, then renamed, so a
reader never sees half a mail). The port it listens on is written to DIR/port the same way.
It ends by itself after --max-seconds, or when its parent (the test) is gone.

    smtp-sink.py --dir DIR [--port N] [--max-seconds S]
"""
import argparse
import itertools
import os
import pathlib
import socket
import sys
import time

from aiosmtpd.controller import Controller


class SaveEachMail:
    def __init__(self, out: pathlib.Path):
        self.out = out
        self.seq = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        n = next(self.seq)
        tmp = self.out / f".mail-{n}.tmp"
        tmp.write_bytes(envelope.original_content or envelope.content)
        os.replace(tmp, self.out / f"mail-{time.time_ns()}-{n}.eml")
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--max-seconds", type=int, default=3600)
    a = ap.parse_args()
    out = pathlib.Path(a.dir)
    out.mkdir(parents=True, exist_ok=True)
    port = a.port or free_port()
    controller = Controller(SaveEachMail(out), hostname="127.0.0.1", port=port)
    controller.start()
    tmp = out / ".port.tmp"
    tmp.write_text(str(port))
    os.replace(tmp, out / "port")
    parent = os.getppid()
    deadline = time.monotonic() + a.max_seconds
    try:
        while time.monotonic() < deadline and os.getppid() == parent:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
