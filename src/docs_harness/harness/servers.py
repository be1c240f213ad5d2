"""Real servers on 127.0.0.1 on free ports, always stopped, their output kept."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..records import bounded
from . import processes
from .recording import note_command

READY_TIMEOUT = 30.0


class ServerError(RuntimeError):
    """The server did not start; the message carries the end of its output."""


@dataclass
class Server:
    port: int
    log_path: Path
    #: Where this server's output starts in the log
    log_start: int = 0

    def output_tail(self, lines: int = 25) -> str:
        return tail(self.log_path, lines)

    def own_output(self) -> str:
        """What this server wrote, without the log's earlier content."""
        with self.log_path.open("rb") as log:
            log.seek(self.log_start)
            return log.read().decode(errors="replace")


def tail(path: Path, lines: int = 25) -> str:
    if not path.exists():
        return ""
    text = path.read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(
    argv_for_port: Callable[[int], Sequence[str]],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    note: str = "",
) -> Iterator[Server]:
    """Start a server, wait until it accepts connections, stop it on the way out.
    ``note`` says in the block's run record why it runs, if the page did not start it."""
    port = free_port()
    argv = list(argv_for_port(port))
    with log_path.open("ab") as log:
        log.write(f"$ {' '.join(argv)}\n".encode())
        log.flush()
        start = log.tell()  # the log may hold an earlier server's output
        noted = note_command(argv, None, "", note)  # noted even if it cannot start
        process = processes.start(argv, kind="server", cwd=cwd, env=env, stdout=log)
    server = Server(port, log_path, start)
    try:
        ready = time.perf_counter()
        _wait_until_ready(process, server)
        processes.spent("server", time.perf_counter() - ready)
        yield server
    finally:
        processes.stop(process)
        processes.forget(process)
        if noted is not None:
            noted.output = bounded(server.own_output())


def _wait_until_ready(process: subprocess.Popen[bytes], server: Server) -> None:
    """Ready when it accepts connections and has said it listens on our port, so a
    server that lost the port to another cannot pass for ready."""
    deadline = time.monotonic() + READY_TIMEOUT
    address = f"127.0.0.1:{server.port}"
    while time.monotonic() < deadline:
        processes.check_not_stopped()
        if process.poll() is not None:
            raise ServerError(
                f"the server exited with code {process.returncode} before it "
                f"accepted connections:\n{server.output_tail()}"
            )
        said_listening = address in server.own_output()
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.2):
                if said_listening:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise ServerError(
        f"the server did not accept connections on 127.0.0.1:{server.port} within "
        f"{READY_TIMEOUT:.0f} s:\n{server.output_tail()}"
    )
