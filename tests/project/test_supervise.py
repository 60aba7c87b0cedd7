"""The supervisor that keeps the worker and beat running under `make run`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.worker.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]

# Counts its starts in a file; exits at once the first two times, then runs until told to stop
# and records that it was.
CHILD = """
import pathlib, signal, sys, time
starts = pathlib.Path(sys.argv[1])
starts.write_text(starts.read_text() + "x" if starts.exists() else "x")
if len(starts.read_text()) < 3:
    sys.exit(3)
def stop(signum, frame):
    pathlib.Path(sys.argv[1] + ".stopped").write_text(str(signum))
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
while True:
    time.sleep(0.1)
"""


def _supervise(tmp_path: Path, *child: str) -> tuple[subprocess.Popen[str], Path]:
    log = tmp_path / "supervise.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sme_support.supervise", "--name", "test", "--min-backoff", "0.05", "--", *child],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    return proc, log


def test_a_command_that_exits_is_started_again_and_stopped_with_the_supervisor(tmp_path):
    starts = tmp_path / "starts"
    proc, log = _supervise(tmp_path, sys.executable, "-c", CHILD, str(starts))
    try:
        wait_for(lambda: starts.exists() and len(starts.read_text()) == 3, timeout=30, what="two restarts")
        assert proc.poll() is None
        assert log.read_text().count("exited with status 3; starting it again") == 2

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert (tmp_path / "starts.stopped").read_text() == str(int(signal.SIGTERM))
        assert len(starts.read_text()) == 3  # not started again after being told to stop
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_ctrl_c_reaches_the_command_as_one_sigterm(tmp_path):
    starts = tmp_path / "starts"
    starts.write_text("xx")  # the child's third start: it runs until stopped
    proc, _ = _supervise(tmp_path, sys.executable, "-c", CHILD, str(starts))
    try:
        wait_for(lambda: len(starts.read_text()) == 3, timeout=30, what="the command to start")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert (tmp_path / "starts.stopped").read_text() == str(int(signal.SIGTERM))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_procfile_runs_worker_and_beat_supervised_and_the_web_directly():
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile.dev").read_text().splitlines() if line and line[0] != "#"
    )
    assert (
        lines["worker"]
        .strip()
        .startswith("python -m sme_support.supervise --name worker -- celery -A sme_support worker")
    )
    assert lines["beat"].strip().startswith("python -m sme_support.supervise --name beat -- celery -A sme_support beat")
    assert "supervise" not in lines["web"]
