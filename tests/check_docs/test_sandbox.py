"""A document's code runs in the sandbox: what it tries outside the project is refused,
nothing outside changes, and the verdict says what was refused."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from docs_harness.check_docs import sandbox
from docs_harness.check_docs.cli import main
from docs_harness.check_docs.page_check import BROKEN, WORKS, check_page
from docs_harness.harness.project import ProjectFactory

_PAGES = itertools.count()


@pytest.fixture(scope="module")
def factory(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("sandboxed")
    return ProjectFactory(workdir, sandbox.make(workdir, timeout=5))


def _verdict(factory, tmp_path, settings: str):
    page = tmp_path / "page.md"
    page.write_text(f"# A page\n\n```python\nSTATIC_ROOT = BASE_DIR / 'static'\n{settings}\n```\n")
    (verdict,) = check_page(page, page.read_text(), factory, f"page{next(_PAGES)}")
    return verdict


def test_the_sandbox_itself_lets_settings_load(factory, tmp_path):
    assert _verdict(factory, tmp_path, "import django").status == WORKS


@pytest.mark.parametrize("where", ["tmp", "checkout"])
def test_a_write_outside_the_project_fails_and_writes_nothing(factory, tmp_path, where):
    target = tmp_path / "written" if where == "tmp" else Path.cwd() / "written-by-a-document"
    try:
        verdict = _verdict(factory, tmp_path, f"open({str(target)!r}, 'w').write('x')")
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)
    assert verdict.status == BROKEN and verdict.checks == ("WN306",)
    if where == "tmp":  # the sandbox's /tmp is empty: the folder is not there at all
        assert "tried to open a file in a home or temporary folder" in verdict.reason
    else:
        assert "tried to write outside the project" in verdict.reason
        assert "Read-only file system" in verdict.reason


def test_the_home_folder_cannot_be_read(factory, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("PRIVATE KEY")
    monkeypatch.setenv("HOME", str(home))
    workdir = tmp_path / "work"
    workdir.mkdir()
    confined = ProjectFactory(workdir, sandbox.make(workdir, timeout=5))
    key = home / ".ssh" / "id_ed25519"
    verdict = _verdict(confined, tmp_path, f"SECRET_KEY = open({str(key)!r}).read()")
    assert verdict.status == BROKEN and verdict.checks == ("WN306",)
    assert "tried to open a file in a home or temporary folder" in verdict.reason
    assert "PRIVATE KEY" not in verdict.reason


def test_a_socket_is_refused_and_nothing_connects(factory, tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)"
        verdict = _verdict(factory, tmp_path, code)
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert verdict.status == BROKEN and verdict.checks == ("WN306",)
    assert "tried to use the network" in verdict.reason


def test_the_users_environment_stays_outside(factory, tmp_path, monkeypatch):
    monkeypatch.setenv("DEPLOY_TOKEN", "s3cr3t")
    # read so that check-docs cannot tell which variable it is, and gives no stand-in
    verdict = _verdict(factory, tmp_path, "SECRET_KEY = dict(os.environ)['DEPLOY_TOKEN']")
    assert verdict.status == BROKEN and verdict.checks == ("WN304",)
    assert "KeyError: 'DEPLOY_TOKEN'" in verdict.reason


def test_settings_that_never_finish_are_stopped_at_the_bound(factory, tmp_path):
    verdict = _verdict(factory, tmp_path, "import time\ntime.sleep(600)")
    assert verdict.status == BROKEN and verdict.checks == ("WN307",)
    assert "did not finish within 5 seconds" in verdict.reason


def test_without_bwrap_nothing_runs_unless_the_user_says_so(tmp_path, monkeypatch, capsys):
    page = tmp_path / "page.md"
    page.write_text(f"```python\nopen({str(tmp_path / 'ran')!r}, 'w')\nDEBUG = False\n```\n")
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    assert main([str(page)]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap (bwrap) is not installed" in err and "--no-sandbox" in err
    assert not (tmp_path / "ran").exists()
    monkeypatch.setenv("PATH", os.defpath)
    assert main([str(page), "--no-sandbox"]) == 0
    assert "runs as you" in capsys.readouterr().err
    assert (tmp_path / "ran").exists()


def test_a_venv_made_by_a_venvs_python_under_tmp_starts_in_the_sandbox(tmp_path):
    """A venv's Python may link to the Python that made it (Python 3.10 does, from a venv
    made the way uv and nox make them), so the way from the executable to the real
    binary can pass through /tmp, which the sandbox hides."""
    first, second, work = tmp_path / "first", tmp_path / "second", tmp_path / "work"
    (first / "bin").mkdir(parents=True)
    work.mkdir()  # the sandbox's writable folder: the venvs stay hidden beside it
    (first / "bin" / "python").symlink_to(sys.executable)
    real = Path(os.path.realpath(sys.executable))
    version = ".".join(map(str, sys.version_info[:3]))
    (first / "pyvenv.cfg").write_text(f"home = {real.parent}\nversion = {version}\n")
    subprocess.run([first / "bin" / "python", "-m", "venv", "--without-pip", second], check=True)
    # the second venv sees this one's packages (Django, check-docs) through a .pth file
    (site,) = (second / "lib").glob("python3*/site-packages")
    (site / "this-environment.pth").write_text("\n".join(p for p in sys.path if p) + "\n")
    made = subprocess.run(
        [second / "bin" / "python", "-c",
         "import sys; from pathlib import Path; from docs_harness.check_docs import sandbox; "
         "sandbox.make(Path(sys.argv[1])); print('sandbox made')", work],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.stdout.strip() == "sandbox made", made.stderr
