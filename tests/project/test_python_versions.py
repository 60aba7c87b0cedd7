"""The supported Python versions (3.11–3.13): how `make venv` picks an interpreter, and
that the Makefile, pyproject.toml, README, Dockerfile and .ci/run name the same range.

The selection tests run the real Makefile in a scratch folder on a PATH that holds the
machine's tools but no Python, with small shell scripts standing in for interpreters: each
answers the Makefile's version probe as the version it plays, and records what it is asked
to do (`-m venv`, `-m pip`). No network and no real virtualenv, so they take a second.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SUPPORTED = ("3.11", "3.12", "3.13")
RANGE = "3.11–3.13"


def _makefile_variable(name: str) -> str:
    match = re.search(rf"^{name} := (.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert match, f"Makefile has no `{name} := ...` line"
    return match.group(1).strip()


# --- the stated range agrees everywhere ----------------------------------------------------


def test_makefile_names_the_supported_versions_newest_first():
    assert _makefile_variable("PYTHON_VERSIONS").split() == sorted(SUPPORTED, key=Version, reverse=True)
    assert _makefile_variable("PYTHON_RANGE") == RANGE


def test_pyproject_requires_python_admits_exactly_the_supported_versions():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requires = SpecifierSet(pyproject["project"]["requires-python"])
    for minor in range(6, 20):
        version = f"3.{minor}"
        assert (version in requires) == (version in SUPPORTED), f"requires-python {requires} vs {version}"
        assert (f"{version}.9" in requires) == (version in SUPPORTED)
    # Lint and types hold the code to the oldest supported version, so nothing newer slips in.
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + SUPPORTED[0].replace(".", "")
    assert pyproject["tool"]["mypy"]["python_version"] == SUPPORTED[0]


def test_readme_states_the_range_and_the_images_choice():
    readme = (ROOT / "README.md").read_text()
    assert f"Python {RANGE}" in readme
    assert "needs only Python 3.11\n" not in readme and "Python 3.11 exactly" not in readme
    dockerfile_version = re.search(r"^FROM python:(3\.\d+)-slim", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert dockerfile_version, "Dockerfile does not start from python:3.X-slim"
    assert f"`python:{dockerfile_version.group(1)}-slim`" in readme


def test_ci_runs_the_oldest_in_full_and_the_newest_from_a_fresh_clone():
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"PY_OLDEST={SUPPORTED[0]}" in ci
    assert f"PY_NEWEST={SUPPORTED[-1]}" in ci


def test_the_image_runs_the_version_ci_tests_in_full():
    # The whole suite, lint and type checks run on the oldest supported version (.ci/run);
    # production runs the version that has the most testing behind it.
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"^FROM python:{re.escape(SUPPORTED[0])}-slim\b", dockerfile, re.MULTILINE)


# --- how `make venv` picks its interpreter -----------------------------------------------------

# Answers the Makefile's probe (`-c '...sys.version_info...'`), `-c pass`, `-m venv DIR` and
# `-m pip ...` as CPython {full} would, and logs each call so the tests can see who was asked.
FAKE_PYTHON = """#!/bin/sh
echo "{name} $*" >> "{log}"
case "$1 $2" in
  "-m venv")
    [ "{venv_fails}" = yes ] && {{ echo "Error: ensurepip is not available" >&2; exit 1; }}
    mkdir "$3" "$3/bin" && ln -s "$0" "$3/bin/python" && echo "home = {home}" > "$3/pyvenv.cfg"
    exit 0 ;;
  "-m pip") exit 0 ;;
esac
case "$2" in
  *version_info*) echo "{minor} {full} $0" ;;
esac
exit 0
"""

# What a pyenv shim prints for a version that is installed but not selected.
FAILING_SHIM = """#!/bin/sh
echo "pyenv: $(basename "$0"): command not found" >&2
exit 127
"""


@dataclass
class Project:
    root: Path
    bin: Path
    log: Path
    path: str

    def python(self, name: str, full: str, *, venv_fails: bool = False, where: Path | None = None) -> Path:
        folder = where or self.bin
        folder.mkdir(parents=True, exist_ok=True)
        script = folder / name
        minor = ".".join(full.split(".")[:2])
        script.write_text(
            FAKE_PYTHON.format(
                name=name,
                log=self.log,
                minor=minor,
                full=full,
                home=folder,
                venv_fails="yes" if venv_fails else "no",
            )
        )
        script.chmod(0o755)
        return script

    def shim(self, name: str) -> Path:
        script = self.bin / name
        script.write_text(FAILING_SHIM)
        script.chmod(0o755)
        return script

    def make(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {"PATH": self.path, "HOME": str(self.root), "LANG": "C.UTF-8"}
        return subprocess.run(
            ["make", "--no-print-directory", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def venv_made_by(self) -> list[str]:
        return [call.split()[0] for call in self.calls() if " -m venv " in call]


@pytest.fixture(scope="module")
def tools_without_python(tmp_path_factory) -> Path:
    """The machine's PATH as one folder of links, less anything named python*: on this
    machine python3 is in /usr/bin beside make and bash, so PATH cannot simply be cut."""
    tools = tmp_path_factory.mktemp("tools")
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not folder or not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            if entry.name.startswith(("python", "pypy")) or (tools / entry.name).exists():
                continue
            if os.access(entry.path, os.X_OK):
                (tools / entry.name).symlink_to(entry.path)
    assert shutil.which("make", path=str(tools)), "make is not on PATH"
    return tools


@pytest.fixture
def project(tmp_path, tools_without_python) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    (root / "requirements.txt").write_text("# runtime\n")
    (root / "requirements-dev.txt").write_text("-r requirements.txt\n")
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    return Project(
        root=root,
        bin=fake_bin,
        log=tmp_path / "calls.log",
        path=f"{fake_bin}{os.pathsep}{tools_without_python}",
    )


def test_the_newest_supported_python_is_chosen_and_named(project):
    project.python("python3.11", "3.11.9")
    project.python("python3.12", "3.12.8")
    project.python("python3", "3.12.8")
    project.python("python", "2.7.18")
    result = project.make("venv")
    assert result.returncode == 0, result.stderr
    assert "Creating .venv with Python 3.12.8: python3.12" in result.stdout
    assert project.venv_made_by() == ["python3.12"]
    assert any(call.startswith("python3.12 -m pip install") for call in project.calls())
    assert (project.root / ".venv" / ".requirements-installed").exists()


def test_a_pyenv_shim_that_does_not_run_is_passed_over(project):
    project.shim("python3.13")
    project.python("python3.12", "3.12.8")
    project.python("python3.11", "3.11.9")
    result = project.make("venv")
    assert result.returncode == 0, result.stderr
    assert project.venv_made_by() == ["python3.12"]


def test_3_13_wins_over_older_and_3_14_is_not_taken(project):
    project.python("python3", "3.14.0")
    project.python("python3.13", "3.13.1")
    project.python("python3.11", "3.11.9")
    result = project.make("venv")
    assert result.returncode == 0, result.stderr
    assert "Creating .venv with Python 3.13.1: python3.13" in result.stdout
    assert project.venv_made_by() == ["python3.13"]


def test_only_unsupported_pythons_are_refused_with_the_range(project):
    project.python("python3", "3.10.12")
    project.python("python", "2.7.18")
    project.shim("python3.13")
    result = project.make("venv")
    assert result.returncode != 0
    assert f"No supported Python found: sme-support runs on Python {RANGE}." in result.stderr
    assert "python3 is Python 3.10.12" in result.stderr.replace(f" ({project.bin}/python3)", "")
    assert "python3.13" in result.stderr and "does not run: pyenv: python3.13: command not found" in result.stderr
    assert "make PYTHON=/path/to/python3.13 run" in result.stderr
    assert not (project.root / ".venv").exists()
    assert project.venv_made_by() == []


def test_python_override_wins_over_a_newer_one(project):
    project.python("python3.13", "3.13.1")
    older = project.python("python3.11", "3.11.9", where=project.root / "elsewhere")
    result = project.make(f"PYTHON={older}", "venv")
    assert result.returncode == 0, result.stderr
    assert "Creating .venv with Python 3.11.9" in result.stdout
    assert project.venv_made_by() == ["python3.11"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("3.10.14", "is Python 3.10.14"),
        ("3.14.0", "is Python 3.14.0"),
        (None, "not found"),
    ],
)
def test_an_unsupported_or_missing_python_override_is_refused(project, given, expected):
    project.python("python3.13", "3.13.1")
    target = project.root / "elsewhere" / "python3"
    if given:
        project.python("python3", given, where=target.parent)
    result = project.make(f"PYTHON={target}", "venv")
    assert result.returncode != 0
    assert f"PYTHON={target} cannot be used: sme-support runs on Python {RANGE}." in result.stderr
    assert expected in result.stderr
    assert project.venv_made_by() == []  # not quietly replaced by the 3.13 on PATH


def test_when_the_newest_cannot_make_a_venv_the_next_is_used(project):
    project.python("python3.13", "3.13.1", venv_fails=True)
    project.python("python3.12", "3.12.8")
    result = project.make("venv")
    assert result.returncode == 0, result.stderr
    assert "on Debian/Ubuntu install python3.13-venv" in result.stderr
    assert project.venv_made_by() == ["python3.13", "python3.12"]
    assert os.readlink(project.root / ".venv" / "bin" / "python").endswith("/python3.12")


def test_no_venv_at_all_leaves_nothing_half_made(project):
    project.python("python3.12", "3.12.8", venv_fails=True)
    result = project.make("venv")
    assert result.returncode != 0
    assert "No supported Python could create .venv" in result.stderr
    assert not (project.root / ".venv").exists()


def test_an_existing_venv_of_another_supported_version_is_kept(project):
    old = project.python("python3.11", "3.11.9", where=project.root.parent / "py311")
    assert project.make(f"PYTHON={old}", "venv").returncode == 0
    project.python("python3.13", "3.13.1")
    (project.log).unlink()

    result = project.make("venv")
    assert result.returncode == 0, result.stderr
    assert "Python: .venv runs Python 3.11.9" in result.stdout
    assert "Python 3.13.1 is here too; to use it: rm -rf .venv" in result.stdout
    assert project.venv_made_by() == []
    assert not any("-m pip" in call for call in project.calls())  # requirements unchanged: no reinstall


def test_an_existing_venv_is_rebuilt_for_an_explicit_other_version(project):
    old = project.python("python3.11", "3.11.9", where=project.root.parent / "py311")
    assert project.make(f"PYTHON={old}", "venv").returncode == 0
    newer = project.python("python3.13", "3.13.1")

    result = project.make(f"PYTHON={newer}", "venv")
    assert result.returncode == 0, result.stderr
    assert "Rebuilding .venv: it runs Python 3.11.9 and PYTHON=" in result.stdout
    assert project.venv_made_by()[-1] == "python3.13"
    assert any(call.startswith("python3.13 -m pip install") for call in project.calls())


def test_a_venv_whose_python_is_gone_or_unsupported_is_rebuilt(project):
    gone = project.python("python3.11", "3.11.9", where=project.root.parent / "removed")
    assert project.make(f"PYTHON={gone}", "venv").returncode == 0
    gone.unlink()  # e.g. `pyenv uninstall` or a distribution upgrade
    project.python("python3.12", "3.12.8")
    result = project.make("venv")
    assert result.returncode == 0, result.stderr
    assert "Rebuilding .venv: it does not run any more" in result.stdout
    assert project.venv_made_by()[-1] == "python3.12"

    shutil.rmtree(project.root / ".venv")
    ancient = project.python("python3.10", "3.10.14", where=project.root.parent / "py310")
    (project.root / ".venv" / "bin").mkdir(parents=True)
    (project.root / ".venv" / "bin" / "python").symlink_to(ancient)
    result = project.make("venv")
    assert result.returncode == 0, result.stderr
    assert f"Rebuilding .venv: it runs Python 3.10.14, outside {RANGE}." in result.stdout
    assert project.venv_made_by()[-1] == "python3.12"


def test_requirements_are_installed_again_only_when_they_change(project):
    project.python("python3.12", "3.12.8")
    assert project.make("venv").returncode == 0
    installs = sum("-m pip install" in call for call in project.calls())
    assert project.make("venv").returncode == 0
    assert sum("-m pip install" in call for call in project.calls()) == installs
    stamp = project.root / ".venv" / ".requirements-installed"
    os.utime(project.root / "requirements.txt", (stamp.stat().st_mtime + 5,) * 2)
    assert project.make("venv").returncode == 0
    assert sum("-m pip install" in call for call in project.calls()) == installs + 1


def test_the_python_running_these_tests_passes_the_real_probe(project):
    """The fakes above only echo; this runs the Makefile's probe on a real CPython (the one
    running the suite, a supported version) through a python3 link, the way a newcomer's
    PATH offers it, and builds a real (empty) virtualenv with it."""
    os.symlink(sys.executable, project.bin / "python3")
    result = project.make("venv")
    assert result.returncode == 0, result.stderr
    version = "{}.{}.{}".format(*sys.version_info[:3])
    assert f"Creating .venv with Python {version}: python3" in result.stdout
    probe = subprocess.run(
        [str(project.root / ".venv" / "bin" / "python"), "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert Path(probe.stdout.strip()) == project.root / ".venv"
