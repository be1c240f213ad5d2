"""Python commands run as forks of a warm interpreter instead of new ones.

Booting Python and importing Django costs most of a settings read or a ``manage.py``
command; a fork server (``forkserver_main.py``) pays it once per worker. Each command
is still a fresh process that reads the project's settings itself. Commands whose
interpreter would start differently (``PYTHON*`` variables that differ from the
server's) run in a new interpreter as before; ``DOCS_HARNESS_FORK=0`` turns it off.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import processes

SOURCE = Path(__file__).with_name("forkserver_main.py")
ENABLED = os.environ.get("DOCS_HARNESS_FORK", "1") != "0"


class ForkServerError(RuntimeError):
    """The fork server stopped answering; the command's result is unknown."""


def _startup(env: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """What shapes an interpreter before any code runs."""
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith("PYTHON")))


def forkable(argv: Sequence[str]) -> bool:
    """``python -c SOURCE ...`` or ``python SCRIPT.py ...`` with this interpreter."""
    return (
        ENABLED
        and len(argv) >= 2
        and argv[0] == sys.executable
        and (argv[1] == "-c" and len(argv) >= 3 or argv[1].endswith(".py"))
    )


class ForkServer:
    def __init__(self, env: Mapping[str, str]) -> None:
        self.startup = _startup(env)
        self.process = processes.start(
            [sys.executable, "-c", SOURCE.read_text()],
            kind="interpreter (fork server)",
            cwd=Path(tempfile.gettempdir()),
            env=env,
            stdin=subprocess.PIPE,
            text=True,
        )

    def alive(self) -> bool:
        return self.process.poll() is None

    def _reply(self) -> dict:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                return json.loads(line)
        processes.check_not_stopped()
        raise ForkServerError(f"the fork server exited with code {self.process.wait()}")

    def run(
        self, argv: Sequence[str], cwd: Path, env: Mapping[str, str], stdin: str, timeout: float
    ) -> tuple[int, str]:
        assert self.process.stdin is not None
        with tempfile.TemporaryDirectory(prefix="forked-") as tmp:
            stdin_path, output_path = Path(tmp, "stdin"), Path(tmp, "output")
            stdin_path.write_text(stdin)
            output_path.touch()
            is_source = argv[1] == "-c"
            request = {
                "argv": ["-c", *argv[3:]] if is_source else list(argv[1:]),
                "source": argv[2] if is_source else None,
                "cwd": str(cwd),
                "env": dict(env),
                "stdin": str(stdin_path),
                "output": str(output_path),
            }
            try:
                self.process.stdin.write(json.dumps(request) + "\n")
                self.process.stdin.flush()
            except BrokenPipeError:
                processes.check_not_stopped()
                raise ForkServerError("the fork server is gone") from None
            pid = self._reply()["pid"]
            timed_out = threading.Event()
            timer = threading.Timer(timeout, _kill, (pid, timed_out))
            timer.start()
            try:
                returncode = self._reply()["returncode"]
            finally:
                timer.cancel()
            output = output_path.read_text(errors="replace")
        processes.check_not_stopped()
        if timed_out.is_set():
            raise subprocess.TimeoutExpired(list(argv), timeout, output)
        return returncode, output


def _kill(pid: int, timed_out: threading.Event) -> None:
    """The child is the server's, not ours to wait for; it is killed, the server reaps it."""
    timed_out.set()
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


_idle: list[ForkServer] = []
_lock = threading.Lock()


def run(
    argv: Sequence[str],
    *,
    kind: str,
    cwd: Path,
    env: Mapping[str, str],
    stdin: str,
    timeout: float,
) -> tuple[int, str]:
    """Run a forkable command in an idle fork server with the same start-up."""
    startup = _startup(env)
    with _lock:
        processes.check_not_stopped()
        # A server dies with the thread that started it; drop those that have.
        _idle[:] = [s for s in _idle if s.alive()]
        server = next((s for s in _idle if s.startup == startup), None)
        if server is not None:
            _idle.remove(server)
    processes.count(kind)
    if server is None:
        server = ForkServer(env)
    try:
        result = server.run(argv, cwd, env, stdin, timeout)
    except subprocess.TimeoutExpired:
        _release(server)  # only the command was killed; the server goes on
        raise
    except BaseException:
        processes.stop(server.process)  # broken or stopping: it serves no one again
        processes.forget(server.process)
        raise
    _release(server)
    return result


def _release(server: ForkServer) -> None:
    with _lock:
        _idle.append(server)
