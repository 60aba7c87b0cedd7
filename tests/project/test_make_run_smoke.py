"""`make run` on a fresh clone: the set-up steps, then web + worker + beat as Procfile.dev
starts them, on the embedded SQLite and filesystem broker.

The clone is a copy of what git would ship (tracked files and new, not-ignored ones), so
anything the repository forgets to carry — a template, a migration — fails here. It
reuses this interpreter's virtualenv instead of building a new one, to stay fast.
"""

from __future__ import annotations

import html.parser
import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_ADMIN = ("admin", "demo-pass-2026")
DEMO_LOGINS = ("admin", "manager", "officer1", "officer2", "sme1")
STEP_TIMEOUT = 180
pytestmark = pytest.mark.slow


def _fresh_clone(destination: Path) -> Path:
    result = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=False,
        timeout=60,
    )
    if result.returncode != 0:
        pytest.fail(f"cannot list the repository's files (is {ROOT} a git checkout?): {result.stderr.decode()}")
    listed = result.stdout.split(b"\0")
    for raw in filter(None, listed):
        relative = Path(os.fsdecode(raw))
        source = ROOT / relative
        if not source.is_file():  # deleted in the work tree but not yet in git
            continue
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
        target.chmod(source.stat().st_mode)
    return destination


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    return _fresh_clone(tmp_path_factory.mktemp("clone"))


@pytest.fixture(scope="module")
def run_env(clone) -> dict[str, str]:
    var = clone / "var"
    keep = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_", "EMAIL_"))}
    keep.pop("SECRET_KEY", None)
    keep.pop("REDIS_URL", None)
    venv_bin = str(Path(sys.executable).parent)
    return {
        **keep,
        "PATH": f"{venv_bin}{os.pathsep}{keep.get('PATH', '')}",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "VAR_DIR": str(var),
        "WORKER_CONCURRENCY": "1",
        "PYTHONUNBUFFERED": "1",
    }


def _manage(clone: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="module")
def set_up(clone, run_env) -> dict[str, str]:
    """Mirrors the Makefile's `setup-run`: broker folders, translations, migrate, seed."""
    var = Path(run_env["VAR_DIR"])
    for folder in ("broker/queue", "broker/control", "broker/processed", "uploads"):
        (var / folder).mkdir(parents=True, exist_ok=True)
    outputs: dict[str, str] = {}
    for step in (["compile_translations"], ["migrate", "--noinput"]):
        result = _manage(clone, run_env, *step)
        assert result.returncode == 0, f"manage.py {' '.join(step)} failed:\n{result.stdout}\n{result.stderr}"
    for attempt in ("first", "second"):  # `make run` seeds on every start, so it must be idempotent
        result = _manage(clone, run_env, "seed_demo")
        assert result.returncode == 0, f"{attempt} seed_demo failed:\n{result.stdout}\n{result.stderr}"
        outputs[attempt] = result.stdout
    return outputs


def test_makefile_run_does_the_steps_in_order(clone):
    # Dry run on the fresh clone: nothing executes, the recipe lines are printed.
    result = subprocess.run(["make", "-n", "run"], cwd=clone, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    steps = ["-m venv", "pip install", "compile_translations", "mkdir -p", "migrate --noinput", "seed_demo", "honcho"]
    positions = [out.find(step) for step in steps]
    assert -1 not in positions, dict(zip(steps, positions, strict=True))
    assert positions == sorted(positions), out
    assert "broker/queue" in out and "broker/control" in out and "broker/processed" in out


def test_seed_demo_prints_the_demo_logins(clone, set_up):
    for login in (*DEMO_LOGINS, DEMO_ADMIN[1]):
        assert login in set_up["first"], f"seed_demo does not print {login}"
    readme = (ROOT / "README.md").read_text()
    for login in (*DEMO_LOGINS, DEMO_ADMIN[1]):
        assert f"`{login}`" in readme, f"README's demo login table lacks {login}"


_HONCHO: dict[str, int] = {}


@pytest.fixture(scope="module")
def honcho_session(server) -> int:
    """honcho's pid: the processes of `make run` are its descendants."""
    return _HONCHO["pid"]


@pytest.fixture(scope="module")
def server(clone, run_env, set_up) -> Iterator[tuple[str, Path]]:
    """honcho with Procfile.dev, exactly as `make run` starts it; always torn down."""
    port = _free_port()
    log = clone / "honcho.log"
    env = {**run_env, "WEB_BIND": "127.0.0.1", "WEB_PORT": str(port)}
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "honcho", "-e", "/dev/null", "-f", "Procfile.dev", "start"],
            cwd=clone,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _HONCHO["pid"] = process.pid
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"honcho exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the web process did not answer within 90 s:\n{log.read_text()}")
            time.sleep(0.5)
        yield base, log
    finally:
        # honcho forwards SIGTERM to every process group it started.
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _get(url: str, opener: urllib.request.OpenerDirector | None = None) -> tuple[int, str, str]:
    opener = opener or urllib.request.build_opener()
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8", "replace")


@pytest.mark.parametrize("path", ["/", "/admin/login/"])
def test_pages_answer_200(server, path):
    base, log = server
    status, _, body = _get(base + path)
    assert status == 200, f"{path}: {status}\n{body[:2000]}\n{log.read_text()[-4000:]}"


def test_web_healthcheck_script_passes_against_the_running_app(server, run_env):
    base, _ = server
    result = subprocess.run(
        [sys.executable, "-m", "sme_support.healthcheck"],
        env={**run_env, "HEALTHCHECK_URL": f"{base}/healthz"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_worker_and_beat_start_on_the_filesystem_broker(server):
    _, log = server
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text()
        if "ready." in text and "beat: Starting..." in text:
            break
        time.sleep(1)
    text = log.read_text()
    assert "ready." in text, f"the Celery worker did not report ready:\n{text[-4000:]}"
    assert "beat: Starting..." in text, f"Celery beat did not start:\n{text[-4000:]}"
    assert "Traceback" not in text, text[-4000:]


class _FormInputs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            named = dict(attrs)
            if named.get("name"):
                self.values[str(named["name"])] = named.get("value") or ""


def test_demo_admin_logs_in_through_the_admin_form(server, clone):
    base, log = server
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    status, _, body = _get(f"{base}/admin/login/?next=/admin/", opener)
    assert status == 200
    form = _FormInputs()
    form.feed(body)
    assert form.values.get("csrfmiddlewaretoken"), "no CSRF token on the admin login form"

    username, password = DEMO_ADMIN
    payload = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": form.values["csrfmiddlewaretoken"],
            "username": username,
            "password": password,
            "next": "/admin/",
        }
    ).encode()
    request = urllib.request.Request(
        f"{base}/admin/login/?next=/admin/", data=payload, headers={"Referer": f"{base}/admin/login/"}
    )
    with opener.open(request, timeout=30) as response:
        final_url = response.geturl()
    assert urllib.parse.urlparse(final_url).path == "/admin/", f"login did not land on /admin/ ({final_url})"

    status, final_url, body = _get(f"{base}/admin/", opener)
    assert status == 200, log.read_text()[-4000:]
    assert urllib.parse.urlparse(final_url).path == "/admin/"
    assert 'name="password"' not in body  # the dashboard, not the login form again


def _worker_pid(honcho: int) -> int | None:
    """The Celery worker's main process under this honcho: the one the supervisor started."""
    listing = subprocess.run(
        ["ps", "-e", "-ww", "-o", "pid=,ppid=,args="], capture_output=True, text=True, check=True
    ).stdout
    rows = [line.split(None, 2) for line in listing.splitlines() if len(line.split(None, 2)) == 3]
    children: dict[int, list[int]] = {}
    for pid, ppid, _ in rows:
        children.setdefault(int(ppid), []).append(int(pid))
    ours, todo = set(), [honcho]
    while todo:  # honcho's descendants (each process runs in a session of its own)
        pid = todo.pop()
        ours.add(pid)
        todo.extend(children.get(pid, []))
    args_of = {int(pid): args for pid, _, args in rows if int(pid) in ours}
    supervisors = {pid for pid, args in args_of.items() if "sme_support.supervise --name worker" in args}
    for pid, ppid, args in rows:
        if int(ppid) in supervisors and "celery -A sme_support worker" in args and "supervise" not in args:
            return int(pid)
    return None


def test_a_worker_that_dies_is_started_again_and_the_web_stays_up(server, honcho_session):
    # Last in this module: it kills the worker. honcho alone would stop the whole stack.
    base, log = server
    deadline = time.monotonic() + 60
    while _worker_pid(honcho_session) is None or log.read_text().count("ready.") < 1:
        assert time.monotonic() < deadline, log.read_text()[-4000:]
        time.sleep(0.5)
    first = _worker_pid(honcho_session)
    assert first is not None
    os.kill(first, signal.SIGKILL)

    while log.read_text().count("ready.") < 2:
        assert time.monotonic() < deadline + 60, f"the worker was not started again:\n{log.read_text()[-4000:]}"
        time.sleep(0.5)
    assert "supervise[worker]: celery exited with status -9; starting it again" in log.read_text()
    second = _worker_pid(honcho_session)
    assert second is not None and second != first
    status, _, _ = _get(f"{base}/healthz")
    assert status == 200
