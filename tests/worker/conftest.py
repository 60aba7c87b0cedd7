"""Real Celery workers and a Redis of our own, for the wiring tests.

Every worker is a ``celery -A sme_support worker`` subprocess on the pytest-django TEST
database (the tests use ``transaction=True`` so it sees committed rows), consuming this run's
own queue. Each runs in its own process group, is bounded in time, and is always killed —
group and all — when the test ends. The machine's shared Redis is never stopped: outage tests
start a ``redis-server`` of their own on a free port and stop or freeze that one.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection

from sme_support.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
WORKER_START_TIMEOUT = 60
SERVER_START_TIMEOUT = 10


def wait_for(condition: Callable[[], object], *, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{quote(db['NAME'])}"


def _kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


class Worker:
    def __init__(self, proc: subprocess.Popen, log: Path) -> None:
        self.proc = proc
        self.log = log

    @property
    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as a lost machine would."""
        _kill_group(self.proc)
        self.proc.wait(timeout=10)


class Workers:
    """Starts workers for one test and kills every one of them when it ends."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.started: list[Worker] = []

    def env(self, broker_url: str, extra: dict[str, str]) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sme_support.settings",
            "PYTHONPATH": str(BASE_DIR),
            "DATABASE_URL": _test_database_url(),
            "DB_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "SITE_URL": settings.SITE_URL,
        }
        env.update(extra)
        return env

    def start(self, *, broker_url: str | None = None, env: dict[str, str] | None = None, args: tuple = ()) -> Worker:
        broker_url = broker_url or settings.CELERY_BROKER_URL
        log = self.tmp_path / f"worker-{len(self.started) + 1}.log"
        command = [
            sys.executable, "-m", "celery", "-A", "sme_support", "worker",
            "--loglevel", "INFO",
            "--queues", settings.CELERY_TASK_DEFAULT_QUEUE,
            "--hostname", f"test-{uuid.uuid4().hex[:8]}@%h",
            "--pool", "prefork", "--concurrency", "1",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            *args,
        ]  # fmt: skip
        with log.open("wb") as out:
            proc = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env(broker_url, env or {}),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group, so the pool dies with it
            )
        worker = Worker(proc, log)
        self.started.append(worker)

        def ready() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"The worker exited with {proc.returncode}:\n{worker.output[-3000:]}")
            return " ready." in worker.output

        wait_for(ready, timeout=WORKER_START_TIMEOUT, what="the worker to start")
        return worker

    def start_beat(
        self, *, broker_url: str | None = None, env: dict[str, str] | None = None, schedule: Path | None = None
    ) -> Worker:
        """``celery beat`` as the README runs it, with its schedule file where asked."""
        broker_url = broker_url or settings.CELERY_BROKER_URL
        log = self.tmp_path / f"beat-{len(self.started) + 1}.log"
        schedule = schedule or self.tmp_path / "beat" / "celerybeat-schedule"
        command = [
            sys.executable, "-m", "celery", "-A", "sme_support", "beat",
            "--loglevel", "DEBUG", "--schedule", str(schedule),
        ]  # fmt: skip
        with log.open("wb") as out:
            proc = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env(broker_url, env or {}),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        beat = Worker(proc, log)
        self.started.append(beat)

        def ready() -> bool:
            if proc.poll() is not None:
                pytest.fail(f"beat exited with {proc.returncode}:\n{beat.output[-3000:]}")
            return "beat: Starting..." in beat.output and "Scheduler: Sending due task" in beat.output

        wait_for(ready, timeout=WORKER_START_TIMEOUT, what="beat to start and send its first task")
        return beat

    def mails(self, header: str | None = None) -> list[str]:
        messages = [p.read_text(errors="replace") for p in sorted(self.mail_dir.glob("*.log"))]
        # The file backend appends every message of one connection to one file, each ending
        # in a line of dashes.
        found = [m for text in messages for m in text.split("-" * 79) if m.strip()]
        return [m for m in found if header is None or header in m]

    def close(self) -> None:
        for worker in self.started:
            _kill_group(worker.proc)
        for worker in self.started:
            with suppress(subprocess.TimeoutExpired):
                worker.proc.wait(timeout=10)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.close()
        # Connections the workers left to the test database would block its teardown.
        connection.close()


class OwnRedis:
    """A redis-server of this test's own, to stop and start without touching the shared one."""

    def __init__(self, workdir: Path, *, persistent: bool = False) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed; the broker-outage tests need it (apt-get install redis-server)")
        self.binary = binary
        self.workdir = workdir
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        # Persistent: every write reaches the append-only file before it is answered, so a
        # SIGKILL loses nothing and the restarted server has the queues back, as compose's has.
        self.persistence = (
            ["--appendonly", "yes", "--appendfsync", "always", "--dir", str(workdir)]
            if persistent
            else ["--appendonly", "no"]
        )

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *self.persistence],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

        def answers() -> bool:
            try:
                return bool(self.client().ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=SERVER_START_TIMEOUT, what="redis-server to answer")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def freeze(self) -> None:
        """Hang it: connections are accepted by the kernel, nothing is ever answered."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)


def _serve(server: OwnRedis) -> Iterator[OwnRedis]:
    server.start()
    try:
        yield server
    finally:
        if server.proc is not None:
            server.thaw()
        server.stop()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    yield from _serve(OwnRedis(tmp_path))


@pytest.fixture
def persistent_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """Our own Redis that keeps its data across a stop and start, like the compose one."""
    workdir = tmp_path / "redis"
    workdir.mkdir()
    yield from _serve(OwnRedis(workdir, persistent=True))


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point this process's Celery app (the one the services publish with) at ``url``."""
    conf = celery_app.conf
    keys = ("broker_url", "broker_write_url", "broker_read_url")
    saved = {key: conf[key] for key in keys}

    def drop_pools() -> None:
        # The app keeps its broker connections in pools built from the URL of the first
        # publish; forget them so that the next publish connects to the URL now configured.
        # (Not closed: kombu's registry of pools, keyed by URL, hands them out again.)
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    # Celery copies broker_url into the read/write URLs when it is configured.
    conf.update(dict.fromkeys(keys, url))
    drop_pools()
    try:
        yield
    finally:
        conf.update(saved)
        drop_pools()
