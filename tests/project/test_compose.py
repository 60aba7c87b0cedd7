"""docker-compose.yml and the Dockerfile describe a stack that would actually run.

There is no Docker engine on the test machines, so this checks the files' content and lets
`docker-compose config` validate the Compose file when the binary is installed (CI installs
it and must not quietly skip the check).
"""

from __future__ import annotations

import http.server
import importlib
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from sme_support import healthcheck

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_ENV = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SITE_URL",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def _command(service: dict) -> str:
    command = service["command"]
    return " ".join(command) if isinstance(command, list) else command


def test_every_service_is_there_with_a_healthcheck(compose):
    services = compose["services"]
    for name in (*APP_SERVICES, "db", "redis"):
        assert name in services, f"{name} service missing"
        assert services[name]["healthcheck"]["test"], f"{name} has no healthcheck"


def test_app_services_wait_for_healthy_database_and_redis_and_for_migrations(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
    assert _command(services["migrate"]).endswith("manage.py migrate --noinput")
    assert services["migrate"]["restart"] == "no"


def test_app_services_carry_the_production_environment(compose):
    for name in (*APP_SERVICES, "migrate"):
        env = compose["services"][name]["environment"]
        missing = [key for key in REQUIRED_ENV if key not in env]
        assert not missing, f"{name} lacks {missing}"
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/")
        assert env["REDIS_URL"].startswith("redis://redis:6379/")
        # Secrets have no default: a stack without them must refuse to start.
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]


def test_every_variable_given_to_the_app_is_one_the_settings_read(compose):
    # A typo here would silently leave the setting at its laptop default.
    settings_source = (ROOT / "sme_support" / "settings.py").read_text()
    for name in APP_SERVICES:
        for key in compose["services"][name]["environment"]:
            assert f'"{key}"' in settings_source, f"{name}: settings.py never reads {key}"


def test_commands_run_gunicorn_worker_and_beat(compose):
    services = compose["services"]
    assert _command(services["web"]).startswith("gunicorn sme_support.wsgi")
    assert "--config=python:sme_support.gunicorn_conf" in _command(services["web"])
    assert any(port.endswith(":8000") for port in services["web"]["ports"])
    assert _command(services["worker"]).startswith("celery -A sme_support worker")
    assert _command(services["beat"]).startswith("celery -A sme_support beat")
    # Beat answers `inspect ping` only with remote control on; its healthcheck relies on it.
    assert "--enable-remote-control" in _command(services["beat"])
    assert "celerybeat@$$HOSTNAME" in " ".join(services["beat"]["healthcheck"]["test"])
    assert "celery@$$HOSTNAME" in " ".join(services["worker"]["healthcheck"]["test"])


def test_web_healthcheck_probes_healthz(compose):
    test = compose["services"]["web"]["healthcheck"]["test"]
    assert test == ["CMD", "python", "-m", "sme_support.healthcheck"]
    assert healthcheck.DEFAULT_URL.endswith(reverse("healthz"))


def test_uploads_and_database_live_on_volumes(compose):
    web = compose["services"]["web"]
    media_root = web["environment"]["MEDIA_ROOT"]
    assert f"uploads:{media_root}" in web["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert {"pgdata", "uploads"} <= set(compose["volumes"])
    assert compose["services"]["db"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_dockerfile_builds_a_non_root_image_with_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.MULTILINE)
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".venv", ".env", "var/"):
        assert path in ignored


def test_env_example_names_every_value_compose_requires():
    example = (ROOT / ".env.example").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE_FILE.read_text()))
    assert required == {"SECRET_KEY", "POSTGRES_PASSWORD"}
    for name in required:
        assert re.search(rf"^{name}=", example, re.MULTILINE), name


# --- docker-compose config ------------------------------------------------------------------


def _compose_binary() -> list[str] | None:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


@pytest.fixture
def compose_cli(tmp_path) -> tuple[list[str], Path]:
    binary = _compose_binary()
    if binary is None:
        message = "docker-compose is not installed (apt-get install docker-compose)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must validate docker-compose.yml")
        pytest.skip(message)
    # A private copy, so a developer's own .env cannot change what is validated.
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    return binary, tmp_path


def _clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "POSTGRES_PASSWORD"}}
    env.update(extra)
    return env


def test_docker_compose_config_validates(compose_cli):
    binary, folder = compose_cli
    result = subprocess.run(
        [*binary, "config", "-q"],
        cwd=folder,
        env=_clean_env(SECRET_KEY="x" * 60, POSTGRES_PASSWORD="secret"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_start_without_a_secret_key(compose_cli):
    binary, folder = compose_cli
    result = subprocess.run(
        [*binary, "config", "-q"],
        cwd=folder,
        env=_clean_env(POSTGRES_PASSWORD="secret"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


# --- the web healthcheck script ---------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    status = 200
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:
        type(self).seen.append({"path": self.path, **dict(self.headers)})
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub_server() -> Iterator[tuple[str, type[_Recorder]]]:
    handler = type("Handler", (_Recorder,), {"seen": [], "status": 200})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/healthz", handler
    finally:
        server.shutdown()
        server.server_close()


def test_healthcheck_passes_on_200_with_an_allowed_host_over_https(stub_server, monkeypatch):
    url, handler = stub_server
    monkeypatch.setenv("HEALTHCHECK_URL", url)
    monkeypatch.setenv("ALLOWED_HOSTS", ".example.org,www.example.org")

    assert healthcheck.main() == 0

    request = handler.seen[-1]
    assert request["path"] == "/healthz"
    assert request["Host"] == "example.org"
    assert request["X-Forwarded-Proto"] == "https"


def test_healthcheck_fails_on_an_error_status(stub_server, monkeypatch, capsys):
    url, handler = stub_server
    handler.status = 500
    monkeypatch.setenv("HEALTHCHECK_URL", url)

    assert healthcheck.main() == 1
    assert "HTTP 500" in capsys.readouterr().err


def test_healthcheck_fails_when_nothing_listens(monkeypatch, capsys):
    monkeypatch.setenv("HEALTHCHECK_URL", "http://127.0.0.1:9/healthz")

    assert healthcheck.main() == 1
    assert "unreachable" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("allowed", "host"),
    [("", "localhost"), ("*", "localhost"), ("*, .example.org", "example.org"), ("a.example, b.example", "a.example")],
)
def test_healthcheck_host_comes_from_allowed_hosts(allowed, host):
    assert healthcheck.probe_host(allowed) == host


def test_every_process_is_restarted_if_it_exits(compose):
    # The second line of defence: the app outlives its services, and a process that exits anyway
    # is started again by Docker.
    for name in (*APP_SERVICES, "db", "redis"):
        assert compose["services"][name]["restart"] == "unless-stopped", name
    assert "--appendonly" in compose["services"]["redis"]["command"]  # queues survive a Redis restart


def test_gunicorn_keeps_idle_connections_longer_than_the_proxy_in_front():
    # A server that closes an idle keep-alive connection first races the client reusing it
    # (the drills' 1-in-3,000 resets). Proxies close theirs after 60 s (nginx, AWS ALB).
    from gunicorn.config import Config

    config = Config()  # validates each value as gunicorn would read it from the file
    for name, value in vars(importlib.import_module("sme_support.gunicorn_conf")).items():
        if name in config.settings:
            config.set(name, value)
    assert config.keepalive > 60
    assert config.worker_class_str == "gthread"  # the sync worker ignores keep-alive
    assert "gunicorn_conf" in (ROOT / "Dockerfile").read_text()
