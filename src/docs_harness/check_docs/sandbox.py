"""Where a document's code runs: inside bubblewrap, with no network, the user's home
and temporary files hidden, nothing writable but the temporary project, a clean
environment, and bounded time and memory.

A document's settings are Python, and importing them runs them: a block may read
``~/.ssh``, open a socket or delete files. check-docs imports them only here, or, when
the user says ``--no-sandbox``, as the user. A refusal shows up in the settings' own
error (``Read-only file system``, ``Connection refused``), which ``refusal`` puts in a
reader's words.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..harness.processes import Limits

#: Wall-clock seconds one command in the sandbox may take.
SECONDS = 60
#: Address space one command may map: Django's checks need about 300 MiB.
MEMORY = 2 << 30
#: The largest file a command may write, in bytes.
FILE_SIZE = 64 << 20
#: Environment variables a command keeps; the rest (tokens, keys) never reach it.
_KEPT = re.compile(r"^(PATH|LANG|LC_\w+|TZ|PYTHON\w*|DJANGO_SETTINGS_MODULE|VIRTUAL_ENV)$")
_REFUSALS = (
    ("write outside the project", re.compile(r"Read-only file system|\[Errno 30\]")),
    ("use the network", re.compile(
        r"Network is unreachable|Connection refused|Temporary failure in name resolution|"
        r"Name or service not known|gaierror|\[Errno (101|111|-[23])\]")),
)  # fmt: skip


class Unavailable(Exception):
    """No sandbox can be made here; the message says why and what to do."""


def _hidden() -> list[Path]:
    """What a document's code must not read: homes and shared temporary folders."""
    places = {Path.home(), Path("/root"), Path("/home"), Path("/tmp"), Path("/var/tmp")}
    places.add(Path(tempfile.gettempdir()))
    return sorted((p for p in places if p.is_dir()), key=lambda p: len(p.parts))


def _python_paths() -> set[Path]:
    """What this Python needs to start and import Django: its prefixes, its import path,
    every folder on the way from its executable to the real binary (a venv made by a
    venv's Python links to that Python, not to the binary), and its venv's home."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)}
    paths |= {Path(entry) for entry in sys.path if entry}
    executable = Path(sys.executable)
    for _ in range(40):  # a symlink chain; 40 is the kernel's own limit
        paths.add(executable.parent)
        if not executable.is_symlink():
            break
        executable = executable.parent / os.readlink(executable)
    config = Path(sys.prefix, "pyvenv.cfg")
    home = re.search(r"^home\s*=\s*(.+)$", config.read_text(), re.M) if config.is_file() else None
    if home:
        paths.add(Path(home[1].strip()))
    return {p for p in paths | {q.resolve() for q in paths} if p.exists()}


@dataclass(frozen=True)
class Sandbox:
    bwrap: str
    #: the one folder a command may write to (check-docs' temporary folder)
    writable: Path
    timeout: float = SECONDS
    limits: Limits = field(
        default_factory=lambda: {
            resource.RLIMIT_AS: (MEMORY, MEMORY),
            resource.RLIMIT_FSIZE: (FILE_SIZE, FILE_SIZE),
            resource.RLIMIT_CORE: (0, 0),
        }
    )

    def argv(self, argv: list[str], cwd: Path) -> list[str]:
        hidden = _hidden()
        under_hidden = sorted(
            (p for p in _python_paths() if any(p.is_relative_to(h) for h in hidden)),
            key=lambda p: len(p.parts),
        )
        mounts = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        for place in hidden:
            mounts += ["--tmpfs", str(place)]
        for path in under_hidden:
            mounts += ["--ro-bind", str(path), str(path)]
        mounts += ["--bind", str(self.writable), str(self.writable)]
        for place in hidden:
            mounts += ["--remount-ro", str(place)]
        return [
            self.bwrap, *mounts,
            "--unshare-net", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--chdir", str(cwd), "--", *argv,
        ]  # fmt: skip

    def env(self, env: Mapping[str, str]) -> dict[str, str]:
        kept = {name: value for name, value in env.items() if _KEPT.match(name)}
        scratch = self.writable / "scratch"
        scratch.mkdir(exist_ok=True)
        return {**kept, "HOME": str(scratch), "TMPDIR": str(scratch)}


def make(writable: Path, timeout: float = SECONDS) -> Sandbox:
    """A sandbox writing only to ``writable``, after a real trial run of one."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise Unavailable("bubblewrap (bwrap) is not installed")
    sandbox = Sandbox(bwrap, writable, timeout)
    trial = [sys.executable, "-c", "import django"]
    try:
        done = subprocess.run(
            sandbox.argv(trial, writable), env=sandbox.env(os.environ), capture_output=True,
            text=True, timeout=SECONDS, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"bwrap does not run here: {exc}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unavailable(f"bwrap cannot make a sandbox here: {last}")
    return sandbox


def refusal(error: str) -> str:
    """What the sandbox refused, when ``error`` is its refusal; else ``""``."""
    for attempt, pattern in _REFUSALS:
        if pattern.search(error):
            return attempt
    hidden = tuple(str(place) for place in _hidden())
    missing = re.search(r"No such file or directory: '([^']+)'", error)
    if missing and missing[1].startswith(hidden):
        return "open a file in a home or temporary folder (hidden from documents)"
    return ""
