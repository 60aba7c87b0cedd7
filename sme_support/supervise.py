"""Keep one process running: ``python -m sme_support.supervise -- celery -A sme_support worker``.

``make run`` starts web, worker and beat with honcho, which stops the whole stack as soon as
one process exits: a worker that died took the web down with it. Procfile.dev therefore runs
the worker and beat under this supervisor, which starts the command again whenever it exits on
its own, after a pause that doubles from ``--min-backoff`` up to ``--max-backoff`` seconds
(and starts over once the command has stayed up for a minute), so a crash loop does not spin.

SIGTERM, SIGINT or SIGHUP to the supervisor is passed on to the command as SIGTERM (Celery's
warm shutdown, whichever the supervisor got: a second SIGINT would make it a cold one), and the
supervisor exits with the command's status once it has stopped. In docker-compose the
containers' restart policy does this job instead.

Standard library only; no Django.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

STABLE_AFTER_SECONDS = 60.0


class Supervisor:
    def __init__(self, command: list[str], *, name: str, min_backoff: float, max_backoff: float) -> None:
        self.command = command
        self.name = name
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping = threading.Event()
        self.restarts = 0

    def say(self, message: str) -> None:
        print(f"supervise[{self.name}]: {message}", file=sys.stderr, flush=True)

    def stop(self, signum: int, _frame: FrameType | None = None) -> None:
        self.stopping.set()
        child = self.child
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self.stop)
        backoff = self.min_backoff
        while not self.stopping.is_set():
            started = time.monotonic()
            self.child = subprocess.Popen(self.command)  # noqa: S603 — the operator's own command line
            code = self.child.wait()
            if self.stopping.is_set():
                return code
            if time.monotonic() - started >= STABLE_AFTER_SECONDS:
                backoff = self.min_backoff
            self.say(f"{self.command[0]} exited with status {code}; starting it again in {backoff:g} s")
            if self.stopping.wait(backoff):
                return code
            self.restarts += 1
            backoff = min(backoff * 2, self.max_backoff)
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sme_support.supervise", description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=None, help="shown in the supervisor's messages (default: the command)")
    parser.add_argument("--min-backoff", type=float, default=1.0, help="seconds before the first restart")
    parser.add_argument("--max-backoff", type=float, default=30.0, help="longest pause between restarts")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to keep running")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to supervise after --")
    supervisor = Supervisor(
        command, name=args.name or command[0], min_backoff=args.min_backoff, max_backoff=args.max_backoff
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
