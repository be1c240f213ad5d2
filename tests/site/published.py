"""A copy of this repository whose site is published to a local bare remote, then served.

The copy is what a CI checkout is: the working tree's tracked and new files, committed
on main. ``tools/publish_versions.py`` pushes every version to the remote exactly as a
deploy does; ``mike serve`` then serves the branch on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BRANCH = "gh-pages"
#: The edit links a deploy from GitHub gets (see .github/workflows/docs.yml).
EDIT_URI = "https://github.com/example/static-files-guide/edit/main/docs/"
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Site tests",
    "GIT_AUTHOR_EMAIL": "site-tests@localhost",
    "GIT_COMMITTER_NAME": "Site tests",
    "GIT_COMMITTER_EMAIL": "site-tests@localhost",
}


class PublishError(RuntimeError):
    """The publish or the server failed; the message carries their output."""


@dataclass(frozen=True)
class Published:
    checkout: Path
    remote: Path
    lines: list[str]
    env: dict[str, str]

    @property
    def latest(self) -> str:
        return self.lines[-1]

    def remote_file(self, path: str) -> bytes:
        """A file of the pushed branch, read from the bare remote."""
        return subprocess.run(
            ["git", "--git-dir", str(self.remote), "show", f"{BRANCH}:{path}"],
            check=True,
            capture_output=True,
        ).stdout

    def remote_entry_type(self, path: str) -> str:
        """``tree``, ``blob`` or ``""`` for a path on the pushed branch."""
        result = subprocess.run(
            ["git", "--git-dir", str(self.remote), "cat-file", "-t", f"{BRANCH}:{path}"],
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()


def expected_lines() -> list[str]:
    lines = os.environ.get("DOCS_DJANGO_LINES", "").split()
    if not lines:
        raise PublishError("DOCS_DJANGO_LINES is not set; run these tests with nox -s test-site")
    return lines


def publish_copy(workdir: Path, lines: list[str], report_dir: Path) -> Published:
    checkout, remote = workdir / "checkout", workdir / "remote.git"
    _copy_working_tree(checkout)
    env = {
        **os.environ,
        **GIT_IDENTITY,
        "DOCS_REPORTS": str(report_dir),
        "DOCS_EDIT_URI": EDIT_URI,
    }
    _run(["git", "init", "--quiet", "--bare", str(remote)], workdir, env)
    for argv in (
        ["git", "init", "--quiet", "-b", "main"],
        ["git", "add", "--all"],
        ["git", "commit", "--quiet", "-m", "Site sources"],
        ["git", "remote", "add", "origin", str(remote)],
    ):
        _run(argv, checkout, env)
    _run(
        [
            "python",
            "tools/publish_versions.py",
            "--lines",
            *lines,
            "--reports",
            str(report_dir),
            "--branch",
            BRANCH,
            "--push",
        ],  # fmt: skip
        checkout,
        env,
    )
    return Published(checkout, remote, lines, env)


def _copy_working_tree(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise PublishError(
            f"{' '.join(argv)} exited with {result.returncode} in {cwd}:\n"
            f"{result.stdout}{result.stderr}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MikeServer:
    """``mike serve`` of the published branch on a free port; always stopped."""

    def __init__(self, published: Published, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._log = log
        self._published = published
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> MikeServer:
        argv = ["mike", "serve", "--branch", BRANCH, "--dev-addr", f"127.0.0.1:{self.port}"]
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                argv,
                cwd=self._published.checkout,
                env=self._published.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.url + "versions.json", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise PublishError(
            f"mike serve on {self.url} did not answer within {timeout:.0f} s "
            f"(exit code {self._process.poll()}):\n{self._log.read_text(errors='replace')}"
        )

    def __exit__(self, *exc_info) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
