"""Read shell blocks into the commands the harness knows how to run."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
_PYTHONS = {"python", "python3"}
_PIP_OPTIONS_WITH_VALUES = {"-r", "--requirement", "-c", "--constraint", "-e", "--editable"}


class CommandError(ValueError):
    """A shell line the harness cannot run; the message says what it supports."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        #: 1-based line inside the block
        self.line = line


@dataclass(frozen=True)
class Command:
    #: "pip-install", "manage" or "runserver"
    kind: str
    text: str
    #: pip: the requirements; manage and runserver: the arguments after manage.py
    args: tuple[str, ...]
    #: 1-based line inside the block
    line: int


def read_shell_block(source: str, language: str) -> list[Command]:
    commands = []
    for line_number, text in _command_lines(source, language):
        commands.append(_read_command(text, line_number))
    if not commands:
        raise CommandError("the block has no command in it")
    return commands


def _command_lines(source: str, language: str) -> list[tuple[int, str]]:
    lines: list[tuple[int, str]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(source.splitlines(), start=1):
        text = raw.strip()
        if language == "console" and not pending:
            if not text:
                continue
            if not text.startswith("$ "):
                raise CommandError(
                    f"{text!r} is output; the harness does not check output yet, "
                    "so show commands only",
                    number,
                )
            text = text[2:]
        if not pending and (not text or text.startswith("#")):
            continue
        if not pending:
            start = number
        if text.endswith("\\"):
            pending += text[:-1] + " "
            continue
        lines.append((start, pending + text))
        pending = ""
    if pending:
        raise CommandError("the line ends with a backslash and nothing follows", start)
    return lines


def _read_command(text: str, line: int) -> Command:
    try:
        argv = shlex.split(text, comments=True)
    except ValueError as exc:
        raise CommandError(f"cannot split {text!r}: {exc}", line) from None
    if argv[:2] in (["pip", "install"], ["pip3", "install"]):
        return Command("pip-install", text, _requirements(argv[2:], line), line)
    if argv[0] in _PYTHONS and argv[1:4] == ["-m", "pip", "install"]:
        return Command("pip-install", text, _requirements(argv[4:], line), line)
    if argv[0] in _PYTHONS and argv[1:2] == ["manage.py"] and len(argv) > 2:
        kind = "runserver" if argv[2] == "runserver" else "manage"
        return Command(kind, text, tuple(argv[2:]), line)
    raise CommandError(
        f"the harness does not know how to run {text!r}; it runs "
        "'pip install ...', 'python -m pip install ...' and 'python manage.py ...'",
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
