"""Every process the harness starts: started here, counted here, stopped from here.

One place so that a stop request (Ctrl-C, SIGTERM, SIGHUP) can refuse new commands and
stop every running one at once, and so that a killed harness takes its children with it:
each child asks the kernel for a signal when the harness thread that started it dies
(``PR_SET_PDEATHSIG``), even on SIGKILL.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1


class Interrupted(KeyboardInterrupt):
    """The run was told to stop. A KeyboardInterrupt, so that no ``except Exception``
    turns it into a block's verdict and whoever handles Ctrl-C handles it too: the
    signal handler's own KeyboardInterrupt can be swallowed where Python ignores
    exceptions (an at-fork hook, a finaliser), and this one then ends the run."""


#: Set once the run is told to stop; nothing new starts after it.
STOP = threading.Event()
#: Why the run stopped ("stopped by SIGTERM"), for the message that ends it
_stop_reason = "the run was told to stop"
_live: set[subprocess.Popen] = set()
_lock = threading.RLock()  # re-entered by a signal handler in the same thread
#: What was started, by kind ("settings read", "server", "manage.py collectstatic", ...)
started: Counter[str] = Counter()
#: Seconds spent waiting on each kind: to the end of a command, to a server's readiness
seconds: dict[str, float] = {}


def count(kind: str) -> None:
    with _lock:
        started[kind] += 1


def spent(kind: str, duration: float) -> None:
    with _lock:
        seconds[kind] = seconds.get(kind, 0.0) + duration


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Looked up before any fork: the child may only call it, not load it.
_prctl = _load_prctl()


#: Resource limits for a child, by ``resource.RLIMIT_*``: (soft, hard).
Limits = Mapping[int, tuple[int, int]]


def _in_child(limits: Limits) -> None:
    """Runs in the child between fork and exec: its own session (so stopping it stops
    what it forks), SIGTERM when the thread that started it dies, and its limits. A
    server given SIGTERM stops its workers too, which SIGKILL would leave behind."""
    os.setsid()
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    for which, values in limits.items():
        resource.setrlimit(which, values)


def check_not_stopped() -> None:
    if STOP.is_set():
        raise Interrupted(_stop_reason)


def start(
    argv: Sequence[str],
    *,
    kind: str,
    cwd: Path,
    env: Mapping[str, str] | None,
    stdin: int | IO[bytes] | None = subprocess.DEVNULL,
    stdout: int | IO[bytes] | None = subprocess.PIPE,
    text: bool = False,
    limits: Limits = {},  # noqa: B006 (never mutated)
) -> subprocess.Popen:
    """Start a child the harness owns; refused once the run is stopping."""
    with _lock:
        check_not_stopped()
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            text=text,
            preexec_fn=partial(_in_child, limits),  # noqa: PLW1509 (setsid, prctl, setrlimit)
        )
        _live.add(process)
        count(kind)
    return process


def run(
    argv: Sequence[str],
    *,
    kind: str,
    cwd: Path,
    env: Mapping[str, str] | None,
    stdin: str,
    timeout: float,
    limits: Limits = {},  # noqa: B006 (never mutated)
) -> tuple[int, str]:
    """Run to the end; stdout and stderr interleaved as a terminal shows them."""
    process = start(
        argv, kind=kind, cwd=cwd, env=env, stdin=subprocess.PIPE, text=True, limits=limits
    )
    try:
        output, _ = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process)
        process.communicate()  # closes the pipes
        raise
    finally:
        forget(process)
    check_not_stopped()  # a child killed by a stop request proves nothing
    return process.returncode, output


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop the child's whole process group, even if the child itself has exited."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.wait()
    except ProcessLookupError:
        process.wait()


def forget(process: subprocess.Popen) -> None:
    with _lock:
        _live.discard(process)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def stop_all(grace: float = 2.0) -> None:
    """Refuse new children, then stop every live one: SIGTERM to all at once, SIGKILL
    to whatever is left after ``grace`` seconds."""
    STOP.set()
    with _lock:
        live = list(_live)
    for process in live:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in live:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _kill_group(process)
    for process in live:
        _kill_group(process)  # workers a server forked may outlive their leader
        forget(process)


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """Ask for ``signum`` when our own parent dies (nox, killed before it could stop us)."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signum)


#: The signals that stop a run: Ctrl-C, and what CI cancellation, ``timeout``, container
#: stops and a closed terminal send.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stop_run(signum: int, frame: object) -> None:
    global _stop_reason
    if STOP.is_set():
        return  # already stopping (nox follows Ctrl-C with SIGTERM)
    _stop_reason = f"stopped by {signal.Signals(signum).name}"
    stop_all()
    raise Interrupted(_stop_reason)


def stop_on_signals() -> None:
    """On any of STOP_SIGNALS: stop every child, then KeyboardInterrupt in the main thread.
    Also stop them at exit, and stop this process when its own parent dies."""
    atexit.register(stop_all)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop_run)
    die_with_parent()
