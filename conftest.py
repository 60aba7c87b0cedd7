"""Test-run defaults: the suite runs against the machine's real PostgreSQL and Redis.

Override with DATABASE_URL / CELERY_BROKER_URL. A missing service stops the run at once
with one line that says how to start it — it never turns into skipped tests.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

# Browser fixtures (Chromium via Playwright) shared by the portal and workspace journeys.
pytest_plugins = ["tests.browser"]

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_support")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
# A queue of this run's own: a worker started by the tests never picks up a stale message
# that an earlier or a parallel run left in Redis.
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"test-{os.getpid()}-{os.urandom(4).hex()}")

_START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": ("redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no"),
}


def _reachable(url: str, default_port: int) -> tuple[str, int, bool]:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return host, port, True
    except OSError:
        return host, port, False


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.conf import settings

    # pytest-django loads the settings before this file, so the defaults above only reach
    # subprocesses; the settings themselves must have been given the URLs (make test does).
    checks = [
        ("PostgreSQL", os.environ["DATABASE_URL"], 5432),
        ("Redis", os.environ["CELERY_BROKER_URL"], 6379),
    ]
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not str(
        settings.CELERY_BROKER_URL
    ).startswith("redis"):
        pytest.exit(
            "The tests run on PostgreSQL and Redis: use `make test`, or set DATABASE_URL=postgres://… "
            "and CELERY_BROKER_URL=redis://… before running pytest.",
            returncode=3,
        )
    for name, url, port in checks:
        if not url.startswith(("postgres", "redis")):
            pytest.exit(f"The test suite needs {name}; {url!r} is not a {name} URL.", returncode=3)
        host, port, ok = _reachable(url, port)
        if not ok:
            pytest.exit(
                f"{name} is not reachable at {host}:{port}; start it with: {_START_HINTS[name]}",
                returncode=3,
            )


@pytest.fixture(autouse=True)
def _axes_off_unless_asked(settings: object) -> None:
    """django-axes refuses ``authenticate()`` without a request, which is how Django's test
    ``Client.login()`` calls it. Tests run with axes off; the portal's login and lockout tests
    (tests/portal) turn it back on."""
    settings.AXES_ENABLED = False  # type: ignore[attr-defined]
