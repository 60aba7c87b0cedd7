"""Beat and the worker create the folders they write to: a fresh clone has no var/.

Beat used to crash on its first start there ("Removing corrupted schedule file", then
CRITICAL), following the README's steps for running without Docker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sme_support.runtime_dirs import ensure_runtime_dirs
from tests.worker.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _start(var: Path, tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "DJANGO_", "MEDIA_ROOT"))}
    env.update(
        {
            "VAR_DIR": str(var),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CELERY_BROKER_URL": "filesystem://",
            "DEBUG": "true",
        }
    )
    log = tmp_path / f"{args[0]}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sme_support", *args, "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return proc, log


@pytest.mark.parametrize(
    ("args", "ready"),
    [
        (("beat",), "beat: Starting..."),
        (("worker", "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"), " ready."),
    ],
)
def test_starts_where_var_does_not_exist_yet(tmp_path, args, ready):
    var = tmp_path / "fresh-clone" / "var"
    proc, log = _start(var, tmp_path, *args)
    try:

        def started() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"{args[0]} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            return ready in log.read_text()

        wait_for(started, timeout=60, what=f"{args[0]} to start")
        if args[0] == "beat":
            wait_for(lambda: any(var.glob("celerybeat-schedule*")), timeout=30, what="beat's schedule file")
        else:
            assert (var / "broker" / "queue").is_dir() and (var / "uploads").is_dir()
        assert "CRITICAL" not in log.read_text() and "Traceback" not in log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_ensure_runtime_dirs_makes_every_folder(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "uploads"
    settings.CELERY_BEAT_SCHEDULE_FILENAME = str(tmp_path / "elsewhere" / "schedule")
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "var" / "broker" / "queue")}

    folders = ensure_runtime_dirs()

    assert {
        tmp_path / "var",
        tmp_path / "var" / "uploads",
        tmp_path / "elsewhere",
        tmp_path / "var/broker/queue",
    } <= set(folders)
    assert all(folder.is_dir() for folder in folders)
