"""PostgreSQL going away under the web tier, for real: the app's connections go through a TCP
proxy of the test's own (tests/tcp_proxy.py) that is cut and restored; the machine's server is
never touched.

While the database is away every request is a 503 with Retry-After (the API's error shape on
/api/, a short page in the visitor's language elsewhere), never a 500; once it is back the same
gunicorn answers again, nothing restarted; a write that committed answers what it committed.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from applications.decisions.grants import application_withdraw
from applications.intake.services import application_submit
from applications.models import Application
from applications.workflow import Status
from sme_support.roles import Role
from tests.factories import ApplicationFactory, FirmFactory, ProgramFactory, firm_user, user_in_group
from tests.tcp_proxy import TcpProxy, proxy_to
from tests.worker.conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def db_proxy() -> Iterator[TcpProxy]:
    db = connection.settings_dict
    with proxy_to(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)) as proxy:
        yield proxy
        proxy.restore()


class LiveWeb:
    def __init__(self, proc: subprocess.Popen, port: int, log: Path) -> None:
        self.proc, self.port, self.log = proc, port, log

    def request(self, method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        payload = json.dumps(body) if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        try:
            conn.request(method, path, body=payload, headers=all_headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            conn.close()


@pytest.fixture
def live_web(db_proxy: TcpProxy, tmp_path: Path) -> Iterator[LiveWeb]:
    """gunicorn as production runs it (DEBUG off, our gunicorn settings), on the test
    database through the proxy."""
    db = connection.settings_dict
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sme_support.settings",
        "DEBUG": "false",
        "SECRET_KEY": "outage-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@127.0.0.1:{db_proxy.port}/{db['NAME']}",
        "DB_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "WEB_THREADS": "2",
    }
    # DEBUG off serves hashed static files, which pages name in their templates: collect them.
    env["STATIC_ROOT"] = str(tmp_path / "static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "python:sme_support.gunicorn_conf",
                "sme_support.wsgi:application",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    web = LiveWeb(proc, port, log)

    def up() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            return web.request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    try:
        wait_for(up, timeout=60, what="gunicorn to answer /healthz")
        yield web
    finally:
        os.killpg(proc.pid, 9)
        proc.wait(timeout=10)
        connection.close()


def _token(user: Any) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def test_a_database_outage_is_503_everywhere_and_the_web_recovers_by_itself(live_web: LiveWeb, db_proxy: TcpProxy):
    manager = user_in_group(Role.MANAGER)
    firm = FirmFactory()
    staff = firm_user(firm)
    application = ApplicationFactory(program=ProgramFactory(), firm=firm, created_by=staff)
    application_submit(application=application, actor=staff)
    manager_auth, staff_auth = _token(manager), _token(staff)
    assert live_web.request("GET", "/api/v1/applications/", headers=manager_auth)[0] == 200

    db_proxy.cut()
    answers: dict[str, tuple[int, dict[str, str], str]] = {
        "api_en": live_web.request("GET", "/api/v1/applications/", headers={**manager_auth, "Accept-Language": "en"}),
        "api_ko": live_web.request("GET", "/api/v1/applications/", headers={**manager_auth, "Accept-Language": "ko"}),
        "api_write": live_web.request(
            "POST",
            f"/api/v1/applications/{application.pk}/withdraw/",
            body={"note": "during the outage"},
            headers={**staff_auth, "Idempotency-Key": str(uuid.uuid4())},
        ),
        "page_ko": live_web.request("GET", "/"),
        "page_en": live_web.request("GET", "/en/"),
        "healthz": live_web.request("GET", "/healthz"),
    }

    for name, (status, headers, _) in answers.items():
        assert status == 503, (name, status)
        assert headers["Retry-After"] == str(settings.OUTAGE_RETRY_AFTER_SECONDS), name
    for name in ("api_en", "api_ko", "api_write"):
        error = json.loads(answers[name][2])["error"]
        assert error["code"] == "service_unavailable"
        assert error["fields"] == {}
    assert "briefly unavailable" in json.loads(answers["api_en"][2])["error"]["message"]
    assert "잠시" in json.loads(answers["api_ko"][2])["error"]["message"]
    assert "Briefly unavailable" in answers["page_en"][2]
    assert 'lang="ko"' in answers["page_ko"][2] and "잠시" in answers["page_ko"][2]

    db_proxy.restore()
    # The very next requests succeed: the same gunicorn, nothing restarted.
    assert live_web.request("GET", "/api/v1/applications/", headers=manager_auth)[0] == 200
    assert live_web.request("GET", "/healthz")[0] == 200
    assert live_web.proc.poll() is None
    # The write refused during the outage left nothing behind.
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED
    assert "Traceback" not in live_web.log.read_text()


@pytest.fixture
def through_proxy(db_proxy: TcpProxy) -> Iterator[TcpProxy]:
    """This process's own database connection through the proxy."""
    db = connection.settings_dict
    saved = db["HOST"], db["PORT"]
    connection.close()
    db["HOST"], db["PORT"] = "127.0.0.1", str(db_proxy.port)
    try:
        yield db_proxy
    finally:
        db_proxy.restore()
        connection.close()
        db["HOST"], db["PORT"] = saved


def test_a_write_that_committed_answers_200_though_the_connection_drops_right_after(through_proxy: TcpProxy):
    """The drill's failure: a withdrawal committed, the connection dropped, and the view's
    re-read after the commit turned it into a 500; the client's retries then got 409."""
    firm = FirmFactory()
    staff = firm_user(firm)
    application = ApplicationFactory(program=ProgramFactory(), firm=firm, created_by=staff)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(staff)
    url = f"/api/v1/applications/{application.pk}/withdraw/"
    key = str(uuid.uuid4())
    withdraw = application_withdraw

    def withdraw_then_lose_the_connection(**kwargs: Any) -> Any:
        result = withdraw(**kwargs)
        transaction.on_commit(through_proxy.cut)  # the instant after the commit
        return result

    with mock.patch(
        "applications.api.applications.application_withdraw", side_effect=withdraw_then_lose_the_connection
    ):
        response = client.post(url, {"note": "plans changed"}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert through_proxy.cuts == 1
    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.WITHDRAWN

    through_proxy.restore()
    connection.close()  # what Django does between requests with a connection that failed
    assert Application.objects.get(pk=application.pk).status == Status.WITHDRAWN
    # A client that lost that answer anyway retries with its key: the same answer, not a 409.
    again = client.post(url, {"note": "plans changed"}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 200
    assert again.json() == response.json()
    assert again["Idempotent-Replayed"] == "true"
