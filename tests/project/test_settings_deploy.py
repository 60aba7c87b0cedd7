"""Production settings: unsafe defaults refuse to load, and a proper set-up passes
`check --deploy` with no warning. Each case runs in a fresh interpreter, because settings
are read once per process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_KEY = "k3Vq9-Zp2Lr7_Xw4Nc8Ty1Hs6Bd0Fg5Jm3Qa9Ue2Io7Pl4Kz8Rv1Wy6Tx0Sn"
# Variables a developer's shell might carry that would change what the settings see.
_SCRUBBED = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "EMAIL_BACKEND",
    "STATIC_ROOT",
}


def _env(**values: str) -> dict[str, str]:
    # DJANGO_*: other tests in the same run set e.g. DJANGO_ALLOW_ASYNC_UNSAFE (Playwright),
    # which `check --deploy` rightly reports.
    env = {key: value for key, value in os.environ.items() if key not in _SCRUBBED and not key.startswith("DJANGO_")}
    env["DJANGO_SETTINGS_MODULE"] = "sme_support.settings"
    env.update(values)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


SETUP = ["-c", "import django; django.setup()"]


def test_production_key_is_long_enough_for_the_settings_guard():
    assert len(PRODUCTION_KEY) == 60


def test_debug_off_without_a_secret_key_refuses_to_load():
    result = _run(SETUP, _env(DEBUG="false"))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_debug_off_with_a_short_secret_key_refuses_to_load():
    result = _run(SETUP, _env(DEBUG="false", SECRET_KEY="too-short-to-be-random"))

    assert result.returncode != 0
    assert "shorter than 50" in result.stderr


def test_debug_off_with_a_long_secret_key_loads():
    result = _run(SETUP, _env(DEBUG="false", SECRET_KEY=PRODUCTION_KEY))

    assert result.returncode == 0, result.stderr


def test_a_malformed_boolean_is_a_clear_error():
    result = _run(SETUP, _env(DEBUG="maybe"))

    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_check_deploy_is_clean_under_production_like_settings():
    env = _env(
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="example.org",
        DATABASE_URL=os.environ["DATABASE_URL"],
        CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
        SITE_URL="https://example.org",
    )

    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_the_dockerfile_build_steps_succeed_with_its_build_only_key(tmp_path):
    """collectstatic (manifest storage, DEBUG off) and compile_translations, as the image build runs them."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    build_key = re.search(r"SECRET_KEY=(\S+)", dockerfile)
    assert build_key, "the Dockerfile passes no build-time SECRET_KEY"
    env = _env(
        DEBUG="false",
        SECRET_KEY=build_key.group(1),
        DATABASE_URL=f"sqlite:///{tmp_path / 'build.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )

    collect = _run(["manage.py", "collectstatic", "--noinput"], env)
    assert collect.returncode == 0, collect.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert (tmp_path / "static" / "admin").is_dir()

    translations = _run(["manage.py", "compile_translations"], env)
    assert translations.returncode == 0, translations.stderr


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit() -> None:
    """JIT compilation cost the statistics aggregates more than it saved (bench/RESULTS.md)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_jit_can_be_turned_back_on_and_keeps_other_options() -> None:
    show = [
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS'))",
    ]
    url = "postgres://postgres@127.0.0.1:5432/x?options=-c%20statement_timeout%3D5000"
    off = _run(show, _env(DATABASE_URL=url))
    assert off.returncode == 0, off.stderr
    assert "-c statement_timeout=5000 -c jit=off" in off.stdout
    on = _run(show, _env(DATABASE_URL=url, DB_JIT="true"))
    assert "jit" not in on.stdout and "statement_timeout=5000" in on.stdout
