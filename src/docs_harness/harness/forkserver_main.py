"""The fork server: Python with Django imported once, forking a fresh child per command.

Run as ``python -c <this file's source>`` in the line's environment by ``forkserver.py``,
never imported. Django is imported but never configured here; each child reads the
project's settings itself, as a new interpreter would, so nothing one command
configures reaches the next.

Requests are JSON lines on stdin; for each the server forks, says ``{"pid": N}``, waits
for the child and says ``{"returncode": N}``.
"""

import atexit
import contextlib
import ctypes
import io
import json
import linecache
import os
import runpy
import signal
import sys
import traceback

PR_SET_PDEATHSIG = 1
#: Modules every command imports; importing them needs no settings.
WARM = (
    "django",
    "django.conf",
    "django.core.management",
    "django.core.management.base",
    "django.core.checks",
    "django.apps",
    "django.utils.timezone",
    "django.contrib.staticfiles",
    "django.template",
    "django.http",
    "whitenoise",
)


def warm() -> None:
    for name in WARM:
        # Not importable on this line: the child imports what it needs, and fails as a
        # new interpreter would.
        with contextlib.suppress(Exception):
            __import__(name)


def child(request: dict, prctl) -> None:
    """Become the command: its directory, environment, argv, stdin and output."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # die with the fork server
    if "random" in sys.modules:  # every child would otherwise share the server's sequence
        sys.modules["random"].seed()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.dont_write_bytecode = bool(os.environ.get("PYTHONDONTWRITEBYTECODE"))
    stdin = os.open(request["stdin"], os.O_RDONLY)
    output = os.open(request["output"], os.O_WRONLY | os.O_APPEND)
    os.dup2(stdin, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", write_through=True
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace",
        write_through=True,
    )  # fmt: skip
    code = 0
    try:
        sys.argv = list(request["argv"])
        if request["source"] is not None:  # python -c SOURCE ARGS
            sys.path[0] = ""
            if "<string>" in linecache.cache:  # this Python shows -c source in tracebacks
                source = request["source"]
                linecache.cache["<string>"] = (
                    len(source),
                    None,
                    source.splitlines(True),
                    "<string>",
                )
            exec(compile(request["source"], "<string>", "exec"), {"__name__": "__main__"})
        else:  # python SCRIPT ARGS
            sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
            runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException as exc:
        print_traceback(exc)
        code = 1
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code & 0xFF)


def print_traceback(exc: BaseException) -> None:
    """As Python prints it, without this file's and runpy's frames above the command's."""
    tb = exc.__traceback__.tb_next if exc.__traceback__ else None  # child() itself
    while tb is not None and tb.tb_frame.f_code.co_filename == runpy.__file__:
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb)


def main() -> None:
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    warm()
    replies = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            child(request, prctl)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
        replies.flush()


main()
