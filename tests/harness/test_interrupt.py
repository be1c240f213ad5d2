"""A run told to stop stops: real signals sent to a real run with servers up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_failure_report import ROOT

SERVING_PAGE = """\
# Serving {n}

```python title="settings.py"
STATIC_ROOT = BASE_DIR / "staticfiles"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ...
]
```

```bash
python -m pip install whitenoise
python manage.py collectstatic --noinput
gunicorn mysite.wsgi
curl -I http://127.0.0.1:8000/static/static_demo/site.css
```
"""
#: How long a stopped run may take to be gone, children and all.
STOP_WITHIN = 3.0


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields after "pid (comm)"


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root``, with its start time (so a reused pid is not it)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))):
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = {}, list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if fields := _stat(pid):
            found[pid] = fields[19]
            todo += children.get(pid, [])
    return found


def alive(processes: dict[int, str]) -> list[int]:
    """Those still running: same start time, and not a zombie waiting to be reaped."""
    return [
        pid
        for pid, started in processes.items()
        if (fields := _stat(pid)) and fields[19] == started and fields[0] != "Z"
    ]


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "?"


def start_run(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(3):
        (docs / f"serving-{n}.md").write_text(SERVING_PAGE.format(n=n))
    run = subprocess.Popen(
        [sys.executable, "-m", "pytest", str(ROOT / "tests" / "docs" / "test_docs.py"),
         "--docs-dir", str(docs), "--report-dir", str(tmp_path / "reports"),
         "--results-dir", str(tmp_path / "results"), "--basetemp", str(tmp_path / "base")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "DOCS_HARNESS_WORKERS": "1"},
        start_new_session=True,  # signals reach it only when we send them
    )  # fmt: skip
    return run, tmp_path / "base"


def wait_for_a_server(run: subprocess.Popen[str]) -> dict[int, str]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        below = descendants(run.pid)
        if any("gunicorn" in command_of(pid) for pid in below):
            return below
        assert run.poll() is None, run.communicate()[0]
        time.sleep(0.05)
    run.kill()
    pytest.fail("no server started within 120 s")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=str)
def test_a_signal_stops_the_run_its_servers_and_children_at_once(tmp_path, signum):
    run, base = start_run(tmp_path)
    children = wait_for_a_server(run)

    run.send_signal(signum)
    stopped = time.monotonic()
    try:
        output, _ = run.communicate(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        run.kill()
        pytest.fail(f"still running {STOP_WITHIN} s after {signum!r}: {run.communicate()[0]}")
    deadline = stopped + STOP_WITHIN
    while alive(children) and time.monotonic() < deadline:
        time.sleep(0.05)

    assert not alive(children), [command_of(pid) for pid in alive(children)]
    assert run.returncode != 0, output
    assert "stopped by" in output, output
    assert not list(base.glob("projects*")), "the temporary projects were left behind"
    assert not (tmp_path / "reports").exists() or not list((tmp_path / "reports").iterdir())
    # The page being run when the signal came did not finish, so nothing was stored.
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").rglob("*.json"))


def test_servers_die_with_a_killed_run(tmp_path):
    run, _ = start_run(tmp_path)
    children = wait_for_a_server(run)

    run.kill()  # SIGKILL: the run gets no chance to stop anything itself
    run.communicate()
    deadline = time.monotonic() + STOP_WITHIN
    while alive(children) and time.monotonic() < deadline:
        time.sleep(0.05)

    assert not alive(children), [command_of(pid) for pid in alive(children)]


def test_check_docs_stopped_by_sigterm_exits_130_and_leaves_nothing_running(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        (pages / f"serving-{n}.md").write_text(SERVING_PAGE.format(n=n))
    run = subprocess.Popen(
        [sys.executable, "-m", "docs_harness.check_docs", str(pages)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    children: dict[int, str] = {}
    while not children and time.monotonic() < deadline and run.poll() is None:
        children = descendants(run.pid)
        time.sleep(0.05)
    assert children, run.communicate()[0]

    run.send_signal(signal.SIGTERM)
    output, _ = run.communicate(timeout=STOP_WITHIN)
    deadline = time.monotonic() + STOP_WITHIN
    while alive(children) and time.monotonic() < deadline:
        time.sleep(0.05)

    assert run.returncode == 130, output
    assert "stopped by SIGTERM; nothing was reported" in output
    assert not alive(children), [command_of(pid) for pid in alive(children)]


SWALLOWED_SIGNAL = """\
import os, signal, sys
from pathlib import Path
from docs_harness.harness import processes

processes.stop_on_signals()
# The signal arrives while Python runs an at-fork hook, which prints and drops any
# exception: the handler's own KeyboardInterrupt never reaches the run.
os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGTERM))
try:
    processes.run(["true"], kind="probe", cwd=Path.cwd(), env=None, stdin="", timeout=30)
except KeyboardInterrupt as exc:
    sys.exit(f"interrupted: {exc}")
sys.exit("the run went on after SIGTERM")
"""


def test_a_signal_whose_interrupt_is_swallowed_still_stops_the_run(tmp_path):
    run = subprocess.run(
        [sys.executable, "-c", SWALLOWED_SIGNAL], cwd=tmp_path, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert "Exception ignored" in run.stderr  # the handler's interrupt was indeed dropped
    assert run.stderr.rstrip().endswith("interrupted: stopped by SIGTERM"), run.stderr
