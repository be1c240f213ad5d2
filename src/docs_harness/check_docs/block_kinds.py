"""What a code block is to a reader: settings to add, commands to run, or neither.

A block says what it is by its language when it has one. Without one it is read as a
reader would: ``$ pip install ...`` lines are commands, ``NAME = value`` lines are
settings. A ``python`` block that Python cannot parse is reported as such, never
crashed on.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..verdicts import StrEnum
from .markdown_blocks import DIRECTIVE, FoundBlock


class Kind(StrEnum):
    """What a block is to a reader; ``page_check`` has a handler registered for each."""

    SETTINGS = "settings"
    URLCONF = "urlconf"
    PYTHON = "python"
    SHELL = "shell"
    REQUIREMENTS = "requirements"
    NOT_PYTHON = "not-python"
    NOT_CODE = "not-code"
    OTHER = "other"


_PYTHON = {"python", "py", "python3", "pycon"}
_SHELL = {"bash", "sh", "shell", "console", "zsh", "terminal", "shell-session", "powershell"}
_REQUIREMENTS = {"txt", "text", "requirements", "pip-requirements", ""}
_COMMAND = re.compile(r"^(?:\$\s+|>\s+)?(?:pip3?|python3?|py|django-admin|\S*manage\.py|"
                      r"gunicorn|uvicorn|uv|poetry|pipenv|export|cd|source|heroku)\b")  # fmt: skip
_REQUIREMENT = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._\-]*(?:\[[^\]]*\])?\s*(?:(?:[<>]=?|[=!~]=)\s*\S+)?$"
)


@dataclass(frozen=True)
class ReadBlock:
    block: FoundBlock
    kind: Kind
    #: for kinds the checker does not run: why, in a reader's words
    reason: str = ""
    tree: ast.Module | None = None


def read_block(block: FoundBlock) -> ReadBlock:
    if block.form == DIRECTIVE:
        return ReadBlock(block, Kind.NOT_CODE, f"a {{{block.language}}} directive: prose, not code")
    language, source = block.language, block.source
    if language in _PYTHON:
        return _read_python(block, source, stated=True)
    if language in _SHELL or (not language and _looks_like_commands(source)):
        return ReadBlock(block, Kind.SHELL)
    if language in _REQUIREMENTS and _looks_like_requirements(source):
        return ReadBlock(block, Kind.REQUIREMENTS)
    if not language:
        read = _read_python(block, source, stated=False)
        if read.kind in (Kind.SETTINGS, Kind.URLCONF):
            return read
        return ReadBlock(
            block, Kind.OTHER, "no language, and it reads as neither settings nor commands"
        )
    return ReadBlock(block, Kind.OTHER, f"a {language} block: nothing Django runs")


def _read_python(block: FoundBlock, source: str, stated: bool) -> ReadBlock:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        if not stated:
            return ReadBlock(block, Kind.OTHER)
        if _looks_like_commands(source):
            return ReadBlock(block, Kind.NOT_PYTHON, "marked python, but it holds shell commands")
        return ReadBlock(
            block, Kind.NOT_PYTHON,
            f"marked python, but it is not Python: {exc.msg} on its line {exc.lineno}",
        )  # fmt: skip
    names = {
        target.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Name)
    }
    if "urlpatterns" in names:
        return ReadBlock(block, Kind.URLCONF, tree=tree)
    if any(name.isupper() for name in names) or _appends_to_setting(tree):
        return ReadBlock(block, Kind.SETTINGS, tree=tree)
    if not stated:
        return ReadBlock(block, Kind.OTHER)
    return ReadBlock(block, Kind.PYTHON, "Python that is neither settings nor a URLconf", tree=tree)


def _appends_to_setting(tree: ast.Module) -> bool:
    """``MIDDLEWARE.insert(1, ...)`` or ``INSTALLED_APPS += [...]`` edit settings too."""
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id.isupper()
        ):
            return True
    return False


def _looks_like_commands(source: str) -> bool:
    lines = [text.strip() for text in source.splitlines() if text.strip()]
    return bool(lines) and all(_COMMAND.match(text) or text.startswith("$ ") for text in lines)


def _looks_like_requirements(source: str) -> bool:
    lines = [text.split("#")[0].strip() for text in source.splitlines()]
    lines = [text for text in lines if text]
    return bool(lines) and all(_REQUIREMENT.match(text) for text in lines)
