"""Sessions: the Django matrix for the docs harness, the site, lint and benchmarks."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import nox

ROOT = Path(__file__).parent


@dataclass(frozen=True)
class Line:
    """One supported Django release line and what it runs with."""

    django: str
    python: str
    whitenoise: str


# The one place that states the Django matrix. Newest patch of each line.
MATRIX = (
    Line("3.2", "3.10", "whitenoise==6.7.0"),
    Line("4.0", "3.10", "whitenoise==6.7.0"),
    Line("4.1", "3.11", "whitenoise==6.7.0"),
    Line("4.2", "3.12", "whitenoise>=6.8,<7"),
    Line("5.0", "3.12", "whitenoise>=6.8,<7"),
    Line("5.1", "3.13", "whitenoise>=6.8,<7"),
    Line("5.2", "3.13", "whitenoise>=6.8,<7"),
    Line("6.0", "3.13", "whitenoise>=6.8,<7"),
    Line("6.1", "3.13", "whitenoise>=6.8,<7"),
)
#: The oldest and newest lines: where the harness's own tests run.
EDGE_LINES = (MATRIX[0], MATRIX[-1])
#: The line the bench times and the wheel test installs: 5.2 (LTS) while the matrix has it.
BENCH_LINE = next((line for line in MATRIX if line.django == "5.2"), MATRIX[-1])
#: Sessions that need no particular Django line run on the interpreter running nox.
DOCS_PYTHON = None
#: The local branch docs-versions builds into; gh-pages is left to docs-deploy.
PREVIEW_BRANCH = "docs-preview"

nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True
# Keep each session's environment between runs; its install step still runs, so uv
# brings it to what the session asks for (and the result store's key sees any change).
nox.options.reuse_venv = "yes"
nox.options.sessions = [
    "test-examples", "test-harness", "test-wheel", "lint", "typecheck", "docs-build", "test-site",
]  # fmt: skip
#: What the site's hook and the publisher are told to expect a report for.
SITE_ENV = {"DOCS_DJANGO_LINES": " ".join(line.django for line in MATRIX)}


def _expose_pyenv_interpreters() -> None:
    """pyenv's shims only run the versions PYENV_VERSION names; name them all.

    Appends to what is there (the pyenv nox shim sets it), global version first.
    """
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    if not (root / "versions").is_dir():
        return
    named = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
    global_file = root / "version"
    if not named and global_file.is_file():
        named = global_file.read_text().split()
    installed = sorted(p.name for p in (root / "versions").iterdir() if p.name[:1].isdigit())
    os.environ["PYENV_VERSION"] = ":".join(named + [v for v in installed if v not in named])


_expose_pyenv_interpreters()
os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
# uv leaves .py files uncompiled, and the harness's commands run with
# PYTHONDONTWRITEBYTECODE, so every new interpreter would compile Django again.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")


def _install_line(session: nox.Session, line: Line) -> None:
    """This project (editable, with what running pages needs) on the line's Django."""
    session.install(
        "-e", ".[pages]", "--group", "test", f"django~={line.django}.0", line.whitenoise
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


# nox stops its running command on KeyboardInterrupt (Ctrl-C) but dies at once on
# SIGTERM or SIGHUP and leaves it running; treat those as Ctrl-C too.
for _signum in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(_signum, _interrupt)
#: On Ctrl-C pytest is signalled with nox and needs no head start; the harness needs a
#: moment to stop its servers and remove its projects before nox would SIGKILL it.
STOP_TIMEOUTS = {"interrupt_timeout": 0.1, "terminate_timeout": 5.0}


def _pytest(session: nox.Session, line: Line, *args: str) -> None:
    _install_line(session, line)
    session.run("python", "-m", "pytest", *args, *session.posargs, **STOP_TIMEOUTS)


@nox.session(name="test-examples")
@nox.parametrize(
    "python,line",
    [(line.python, line) for line in MATRIX],
    ids=[line.django for line in MATRIX],
)
def test_examples(session: nox.Session, line: Line) -> None:
    """Run every block in docs/ on one Django line (-- --docs-dir DIR for another folder)."""
    _pytest(session, line, "tests/docs", "-rfE")  # skips are in the harness's own summary


@nox.session(name="test-harness")
@nox.parametrize(
    "python,line",
    [(line.python, line) for line in EDGE_LINES],
    ids=[line.django for line in EDGE_LINES],
)
def test_harness(session: nox.Session, line: Line) -> None:
    """Prove the harness fails on broken pages and passes on fixed ones."""
    _pytest(session, line, "tests/harness", "tests/check_docs", "tests/core")


@nox.session(name="check-line", default=False)
@nox.parametrize(
    "python,line",
    [(line.python, line) for line in MATRIX],
    ids=[line.django for line in MATRIX],
)
def check_line(session: nox.Session, line: Line) -> None:
    """check-docs on one Django line (check-docs runs this per line)."""
    _install_line(session, line)
    session.run("check-docs", *session.posargs)


@nox.session(name="check-docs", python=False, default=False)
def check_docs(session: nox.Session) -> None:
    """Check anyone's Markdown: -- PATH... [--django 5.2 ...] (default: every line)."""
    paths, lines, wanted = [], [], None
    for arg in session.posargs:
        if arg == "--django":
            wanted = lines
        elif wanted is not None and arg[:1].isdigit():
            wanted.append(arg)
        else:
            paths.append(arg)
            wanted = None
    known = {line.django for line in MATRIX}
    if unknown := [line for line in lines if line not in known]:
        session.error(f"no Django line {', '.join(unknown)} in the matrix ({', '.join(known)})")
    if not paths:
        session.error("name a Markdown file or folder: nox -s check-docs -- PATH")
    failed = []
    for line in lines or [line.django for line in MATRIX]:
        report = ROOT / "build" / "check-docs" / f"django-{line}.json"
        argv = [sys.executable, "-m", "nox", "-s", f"check-line({line})", "--"]
        argv += [*paths, "--report", str(report)]
        if subprocess.run(argv, cwd=ROOT).returncode != 0:
            failed.append(line)
    if failed:
        session.error(f"broken blocks on Django {', '.join(failed)}")


@nox.session(python=DOCS_PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("--group", "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=DOCS_PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy on the package (configured in pyproject.toml)."""
    session.install("-e", ".", "--group", "typecheck")
    session.run("mypy")


#: The wheel test: a page with a mistake the rulebook names, and the code it must report.
WHEEL_PAGE, WHEEL_CODE = ROOT / "tests/check_docs/fixtures/mistakes/middleware-appended.md", "WN104"
#: Files check-docs needs at run time that are not imported: they must be in the wheel.
WHEEL_DATA = (
    "docs_harness/harness/django_facts.py",
    "docs_harness/harness/forkserver_main.py",
    "docs_harness/harness/example/static_demo/static/static_demo/site.css",
    "docs_harness/harness/example/static_demo/templates/static_demo/index.html",
    "docs_harness/harness/example/project_static/favicon.svg",
    "docs_harness/site/build.py",
)


@nox.session(name="test-wheel", python=BENCH_LINE.python)
def test_wheel(session: nox.Session) -> None:
    """Build the wheel, install it in a new venv outside the checkout, and run check-docs
    there: without Django it says so (exit 2); with Django it names a known mistake."""
    session.install("uv")
    with tempfile.TemporaryDirectory(prefix="check-docs-wheel-") as tmp:
        work = Path(tmp)
        session.run("uv", "build", "--wheel", "--out-dir", str(work / "dist"), str(ROOT))
        wheel = next((work / "dist").glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            if missing := [name for name in WHEEL_DATA if name not in archive.namelist()]:
                session.error(f"{wheel.name} lacks {', '.join(missing)}")
        venv, python = work / "venv", work / "venv" / "bin" / "python"
        session.run("uv", "venv", "--quiet", "--python", BENCH_LINE.python, str(venv))
        install = ("uv", "pip", "install", "--quiet", "--python", str(python))
        session.run(*install, str(wheel))
        shutil.copy(WHEEL_PAGE, work / "page.md")
        check_docs = partial(_check_docs_says, session, venv / "bin" / "check-docs", "page.md")
        session.chdir(work)
        check_docs(exit_status=2, wanted="Django")
        session.run(*install, f"django~={BENCH_LINE.django}.0")
        check_docs(exit_status=1, wanted=WHEEL_CODE)
        session.chdir(ROOT)


def _check_docs_says(
    session: nox.Session, command: Path, page: str, *, exit_status: int, wanted: str
) -> None:
    printed = session.run(
        str(command), page, success_codes=[exit_status], silent=True, external=True
    )
    print(printed)
    if not isinstance(printed, str) or wanted not in printed:
        session.error(f"check-docs from the wheel did not say {wanted!r}")


@nox.session(name="docs-build", python=DOCS_PYTHON)
def docs_build(session: nox.Session) -> None:
    """Build the site with mkdocs build --strict."""
    session.install("-e", ".", "--group", "docs")
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", "build/site", *session.posargs, env=SITE_ENV
    )


@nox.session(python=DOCS_PYTHON, default=False)
def serve(session: nox.Session) -> None:
    """Serve the docs on 127.0.0.1:8000 with live reload (mkdocs serve)."""
    session.install("-e", ".", "--group", "docs")
    session.run("mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", *session.posargs, env=SITE_ENV)


def _publish(session: nox.Session, *args: str) -> None:
    lines = [line.django for line in MATRIX]
    session.run("python", "tools/publish_versions.py", "--lines", *lines, *args, env=SITE_ENV)


@nox.session(name="docs-versions", python=DOCS_PYTHON, default=False)
def docs_versions(session: nox.Session) -> None:
    """Build one version per Django line into the local docs-preview branch; mike serve it."""
    session.install("-e", ".", "--group", "docs")
    _publish(session, "--branch", PREVIEW_BRANCH)
    session.run("mike", "serve", "--branch", PREVIEW_BRANCH, "--dev-addr", "127.0.0.1:8000")


@nox.session(name="docs-deploy", python=DOCS_PYTHON, default=False)
def docs_deploy(session: nox.Session) -> None:
    """Publish every version to gh-pages and push it (-- --remote NAME for another remote)."""
    session.install("-e", ".", "--group", "docs")
    _publish(session, "--branch", "gh-pages", "--push", *session.posargs)


#: What the site tests inject into pages (axe-core), installed by npm from the lock file.
NODE_LOCK = ROOT / "package-lock.json"
NODE_INSTALLED = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: The lock file npm ci last installed from; npm ci removes node_modules, and so this.
NODE_STAMP = ROOT / "node_modules" / ".installed-package-lock.json"


def _npm_ci(session: nox.Session) -> None:
    """npm ci when axe-core is missing or package-lock.json changed since it was installed.

    Not a session.install step: it runs under -R (--no-install) too.
    """
    lock = NODE_LOCK.read_bytes()
    if NODE_INSTALLED.is_file() and NODE_STAMP.is_file() and NODE_STAMP.read_bytes() == lock:
        return
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)
    NODE_STAMP.write_bytes(lock)


@nox.session(name="test-site", python=DOCS_PYTHON)
def test_site(session: nox.Session) -> None:
    """Publish every version to a local bare remote, then test it in Chromium."""
    session.install("-e", ".", "--group", "site-tests")
    _npm_ci(session)
    # -- tests/site/test_x.py runs that file alone; other arguments go with all of tests/site.
    named = any(arg.startswith("tests/site/") for arg in session.posargs)
    session.run(
        "python", "-m", "pytest", *([] if named else ["tests/site"]), *session.posargs,
        env=SITE_ENV,
    )  # fmt: skip


@nox.session(python=False, default=False)
def matrix(session: nox.Session) -> None:
    """test-examples on every Django line, two lines at a time; -- args go to pytest."""
    jobs = int(os.environ.get("MATRIX_JOBS", os.cpu_count() or 2))

    def run(line: Line) -> tuple[Line, subprocess.CompletedProcess[str]]:
        argv = [
            sys.executable,
            "-m",
            "nox",
            "--reuse-venv=yes",
            "-s",
            f"test-examples({line.django})",
        ]
        argv += ["--", *session.posargs] if session.posargs else []
        return line, subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(run, MATRIX))
    failed = [line.django for line, result in results if result.returncode != 0]
    for line, result in results:
        if result.returncode != 0:
            print(result.stdout + result.stderr)
        summary = [text for text in result.stdout.splitlines() if " executed, " in text]
        session.log(
            f"{line.django}: {'failed' if result.returncode else 'passed'}  {' '.join(summary)}"
        )
    if failed:
        session.error(f"failed on Django {', '.join(failed)}")


@nox.session(python=BENCH_LINE.python, default=False)
def bench(session: nox.Session) -> None:
    """Time one line and nine lines (cold, unchanged, one page edited) beside the floor."""
    _install_line(session, BENCH_LINE)
    if not all(
        (ROOT / ".nox" / f"test-examples-{line.django.replace('.', '-')}").is_dir()
        for line in MATRIX
    ):
        session.log("Creating the matrix's environments first (not timed).")
        session.run(sys.executable, "-m", "nox", "-s", "test-examples", external=True)
    others = [line.django for line in MATRIX if line != BENCH_LINE]
    floor_python = str(Path(session.virtualenv.location, "bin", "python"))
    session.run(
        sys.executable, "tools/bench.py", floor_python, BENCH_LINE.django, *others, external=True
    )
