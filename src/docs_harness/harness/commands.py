"""Read shell blocks into the commands the harness knows how to run.

In a ``console`` block, commands start with ``$ ``; the lines after a command, up to
the next one, are what it prints.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace

from ..verdicts import StrEnum

# The project startproject makes; ``cd`` into it is the only move a page may make.
from .project import PROJECT

SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
_PYTHONS = {"python", "python3"}
_PIP_OPTIONS_WITH_VALUES = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable"}
_ENVIRONMENT_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
#: ``python -m MODULE`` commands a page may run in the project, as a reader would.
PYTHON_MODULES = ("whitenoise.compress",)
#: The port runserver and gunicorn listen on when the command names none.
DEFAULT_PORT = 8000


class CommandError(ValueError):
    """A shell line the harness cannot run; the message says what it supports."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        #: 1-based line inside the block
        self.line = line


class CommandKind(StrEnum):
    """The commands the harness runs; ``shell_steps`` has a handler for each."""

    PIP_INSTALL = "pip-install"
    MANAGE = "manage"
    RUNSERVER = "runserver"
    GUNICORN = "gunicorn"
    CURL = "curl"
    PYTHON_MODULE = "python-module"
    STARTPROJECT = "startproject"
    CD = "cd"


@dataclass(frozen=True)
class Command:
    kind: CommandKind
    text: str
    #: pip: the requirements; manage and runserver: the arguments after manage.py;
    #: gunicorn and curl: their arguments
    args: tuple[str, ...]
    #: 1-based line inside the block
    line: int
    #: ``NAME=value`` assignments written before the command
    env: tuple[tuple[str, str], ...] = ()
    #: What a console block shows the command printing, line by line
    output: tuple[str, ...] = ()
    #: 1-based lines inside the block that hold ``output``
    output_lines: tuple[int, int] | None = field(default=None, compare=False)


def read_shell_block(source: str, language: str) -> list[Command]:
    commands = []
    for line_number, text, output, span in _command_lines(source, language):
        command = _read_command(text, line_number)
        commands.append(replace(command, output=tuple(output), output_lines=span))
    if not commands:
        raise CommandError("the block has no command in it")
    return commands


def _command_lines(source: str, language: str):
    """(line, command text, output lines, output span) for each command."""
    found: list[tuple[int, str, list[str], tuple[int, int] | None]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(source.splitlines(), start=1):
        text = raw.strip()
        if language == "console" and not pending:
            if not text.startswith("$ ") and text != "$":
                if not found:
                    if text:
                        raise CommandError(f"{text!r} comes before any '$ ' command", number)
                    continue
                _add_output(found, raw.rstrip(), number)
                continue
            text = text[2:]
        if not pending and (not text or text.startswith("#")):
            continue
        if not pending:
            start = number
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        found.append((start, pending + text, [], None))
        pending = ""
    if pending:
        raise CommandError("the line ends with a backslash and nothing follows", start)
    return [(n, t, _trimmed(o), span) for n, t, o, span in found]


def _add_output(found: list, line: str, number: int) -> None:
    start, text, output, span = found[-1]
    if not output and not line.strip():
        return  # blank lines before the output
    output.append(line)
    if line.strip():
        span = (span[0] if span else number, number)
    found[-1] = (start, text, output, span)


def _trimmed(output: list[str]) -> list[str]:
    while output and not output[-1].strip():
        output = output[:-1]
    return output


def _read_command(text: str, line: int) -> Command:
    try:
        argv = shlex.split(text, comments=True)
    except ValueError as exc:
        raise CommandError(f"cannot split {text!r}: {exc}", line) from None
    env = []
    while argv and _ENVIRONMENT_ASSIGNMENT.match(argv[0]):
        name, _, value = argv.pop(0).partition("=")
        env.append((name, value))
    if not argv:
        raise CommandError(f"{text!r} sets variables but runs nothing", line)
    command = _read_argv(argv, text, line)
    return replace(command, env=tuple(env))


def _read_argv(argv: list[str], text: str, line: int) -> Command:
    if argv[:2] in (["pip", "install"], ["pip3", "install"]):
        return Command(CommandKind.PIP_INSTALL, text, _requirements(argv[2:], line), line)
    if argv[0] in _PYTHONS and argv[1:4] == ["-m", "pip", "install"]:
        return Command(CommandKind.PIP_INSTALL, text, _requirements(argv[4:], line), line)
    if argv[0] in _PYTHONS and argv[1:2] == ["manage.py"] and len(argv) > 2:
        kind = CommandKind.RUNSERVER if argv[2] == "runserver" else CommandKind.MANAGE
        return Command(kind, text, tuple(argv[2:]), line)
    if argv[0] == "gunicorn" or (argv[0] in _PYTHONS and argv[1:3] == ["-m", "gunicorn"]):
        return Command(CommandKind.GUNICORN, text, tuple(argv[argv.index("gunicorn") + 1 :]), line)
    if argv[0] == "curl":
        return Command(CommandKind.CURL, text, tuple(argv[1:]), line)
    if argv[0] in _PYTHONS and argv[1:2] == ["-m"] and argv[2:3] and argv[2] in PYTHON_MODULES:
        return Command(CommandKind.PYTHON_MODULE, text, tuple(argv[2:]), line)
    if argv[:2] == ["django-admin", "startproject"] or argv[1:4] == [
        "-m",
        "django",
        "startproject",
    ]:
        args = argv[argv.index("startproject") + 1 :]
        if args[:1] != [PROJECT] or len(args) > 1:
            raise CommandError(
                f"pages start from `django-admin startproject {PROJECT}`; got {text!r}",
                line,
            )
        return Command(CommandKind.STARTPROJECT, text, tuple(args), line)
    if argv[0] == "cd":
        if argv[1:] != [PROJECT]:
            raise CommandError(f"the only folder a page can cd into is {PROJECT}", line)
        return Command(CommandKind.CD, text, tuple(argv[1:]), line)
    raise CommandError(
        f"the harness does not know how to run {text!r}; it runs 'pip install ...', "
        "'python -m pip install ...', 'python manage.py ...', 'gunicorn ...', 'curl ...', "
        f"{', '.join(repr(f'python -m {m} ...') for m in PYTHON_MODULES)}, "
        f"'django-admin startproject {PROJECT}' and 'cd {PROJECT}'",
        line,
    )


def _requirements(args: list[str], line: int) -> tuple[str, ...]:
    for arg in args:
        if arg in _PIP_OPTIONS_WITH_VALUES:
            raise CommandError(f"pip option {arg} is not supported here", line)
    requirements = tuple(a for a in args if not a.startswith("-"))
    if not requirements:
        raise CommandError("pip install names no package", line)
    return requirements


def split_bind(args: tuple[str, ...]) -> tuple[list[str], str | None]:
    """The page's gunicorn arguments minus the address (the harness picks a free port),
    and the address the page gave."""
    kept: list[str] = []
    bind = None
    taking = False
    for arg in args:
        if taking:
            bind, taking = arg, False
        elif arg in ("-b", "--bind"):
            taking = True
        elif arg.startswith(("--bind=", "-b")):
            bind = arg.split("=", 1)[1] if arg.startswith("--bind=") else arg[2:]
        else:
            kept.append(arg)
    return kept, bind


def port_of(address: str) -> int:
    """``127.0.0.1:8000``, ``0:8000``, ``:8000`` or ``8000`` -> 8000."""
    port = address.rpartition(":")[2]
    return int(port) if port.isdigit() else DEFAULT_PORT
