"""What a code block is to a reader: settings to add, commands to run, another file of
the project, or something Django never runs (and then what it is).

A block says what it is by its language when it has one. Without one, or when its
language does not fit its text, it is read as a reader would: ``$ pip install ...``
lines are commands, ``NAME = value`` lines are settings, ``web: gunicorn ...`` is a
Procfile. A Python block whose author elided a body (``try:`` with nothing under it) is
read with the body elided; one Python still cannot parse is reported as such.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from ..verdicts import StrEnum
from .document import MAX_BLOCK_CHARS, MAX_BLOCK_LINES
from .markdown_blocks import DIRECTIVE, FoundBlock


class Kind(StrEnum):
    """What a block is to a reader; ``page_check`` has a handler registered for each."""

    SETTINGS = "settings"
    URLCONF = "urlconf"
    #: another module of the project (wsgi.py, asgi.py, a view): read, not run
    MODULE = "module"
    PYTHON = "python"
    SHELL = "shell"
    REQUIREMENTS = "requirements"
    NOT_PYTHON = "not-python"
    NOT_CODE = "not-code"
    OTHER = "other"


_PYTHON = {"python", "py", "python3", "py3"}
_SHELL = {"bash", "sh", "shell", "console", "zsh", "terminal", "shell-session", "powershell",
          "cmd", "bat", "doscon", "ps1", "fish"}  # fmt: skip
_REQUIREMENTS = {"txt", "text", "requirements", "pip-requirements", "plain", ""}
_COMMAND = re.compile(r"^(?:\(\S+\)\s*)?(?:\$\s+|>\s+|#\s+)?(?:sudo\s+)?(?:pip3?|python3?|py|"
                      r"django-admin|\S*manage\.py|gunicorn|uvicorn|uv|poetry|pipenv|export|cd|"
                      r"source|heroku|git|mkdir|touch|echo|ls|cat|npm|docker|fly|railway)\b")  # fmt: skip
_PROMPT = re.compile(r"^(?:\(\S+\)\s*)?(?:[\w.@~:/-]*\s?)?[$%>]\s")
_REQUIREMENT = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._\-]*(?:\[[^\]]*\])?\s*(?:(?:[<>]=?|[=!~]=)\s*\S+)?$"
)
#: a line that is only an elision, "..." or "…", perhaps with a comment
_ELISION = re.compile(r"^(?P<indent>[ \t]*)(?:\.\.\.|…|--snip--)(?=[ \t]*(?:#.*)?$)", re.M)
_RUNTIME = re.compile(r"^\s*python-\d+(\.\d+)*\s*$")
_ENV_LINES = re.compile(r"^(?:\s*(?:export\s+)?[A-Z_][A-Z0-9_]*=\S*\s*\n?)+$")
_EXPECTED_BODY = re.compile(r"expected an indented block after .* on line (\d+)")
#: What a block in a language no part of Django runs is, in a reader's words.
_LANGUAGES = {
    "a Dockerfile": {"dockerfile", "docker", "containerfile"},
    "a Procfile": {"procfile"},
    "YAML": {"yaml", "yml"},
    "TOML": {"toml"},
    "JSON": {"json", "jsonc", "json5"},
    "an INI file": {"ini", "cfg", "conf", "properties"},
    "environment variables (.env)": {"env", "dotenv"},
    "web server configuration": {"nginx", "apache", "apacheconf", "caddy", "caddyfile"},
    "a template": {"html", "django", "jinja", "jinja2", "htmldjango", "html+django", "jinja-html",
                   "j2", "xml", "jsx", "vue"},
    "JavaScript or CSS": {"js", "javascript", "ts", "typescript", "css", "scss", "mjs"},
    "a Python session": {"pycon", "python-repl", "ipython"},
    "a diff": {"diff", "patch"},
}  # fmt: skip
_LANGUAGE_WHAT = {language: what for what, names in _LANGUAGES.items() for language in names}


@dataclass(frozen=True)
class ReadBlock:
    block: FoundBlock
    kind: Kind
    #: for kinds the checker does not run: what the block is, in a reader's words
    reason: str = ""
    tree: ast.Module | None = None
    #: the source as meant: dedented, elided bodies filled with ``...``
    meant: str = ""

    @property
    def source(self) -> str:
        return self.meant or self.block.source


def read_block(block: FoundBlock) -> ReadBlock:
    if block.form == DIRECTIVE:
        return ReadBlock(block, Kind.NOT_CODE, f"a {{{block.language}}} directive: prose, not code")
    lines = block.source.count("\n")
    if lines > MAX_BLOCK_LINES or len(block.source) > MAX_BLOCK_CHARS:
        return ReadBlock(
            block, Kind.OTHER,
            f"too large: {lines:,} lines, {len(block.source):,} characters; check-docs tries "
            f"blocks of up to {MAX_BLOCK_LINES:,} lines and {MAX_BLOCK_CHARS:,} characters",
        )  # fmt: skip
    language, source = block.language, _unwrapped(block.source)
    if language in _LANGUAGE_WHAT:
        return ReadBlock(block, Kind.OTHER, _LANGUAGE_WHAT[language])
    if language in _PYTHON and "=" in source and _looks_like_requirements(source):
        return ReadBlock(block, Kind.REQUIREMENTS, meant=source)  # "x==1.0" parses as Python
    if language in _PYTHON:
        return _read_python(block, source, stated=True)
    if (language in _REQUIREMENTS or language in _SHELL) and _RUNTIME.match(source):
        return ReadBlock(block, Kind.OTHER, "a runtime.txt (the platform's Python version)")
    if language in _SHELL and not _looks_like_commands(source):
        read = _read_python(block, source, stated=False)  # settings in a shell fence
        if read.kind in (Kind.SETTINGS, Kind.URLCONF, Kind.MODULE):
            return read
    if language in _SHELL or (not language and _looks_like_commands(source)):
        return ReadBlock(block, Kind.SHELL)
    if language in _REQUIREMENTS and _looks_like_requirements(source):
        return ReadBlock(block, Kind.REQUIREMENTS, meant=source)
    if language in _REQUIREMENTS:
        if _ENV_LINES.match(source):  # NAME=value, no spaces: a shell's, not Python's
            return ReadBlock(block, Kind.OTHER, "environment variables (.env)")
        if not language:  # a block marked text is not settings, whatever it looks like
            read = _read_python(block, source, stated=False)
            if read.kind in (Kind.SETTINGS, Kind.URLCONF, Kind.MODULE):
                return read
        what = _what_it_is(source)
        if what:
            return ReadBlock(block, Kind.OTHER, what)
        return ReadBlock(block, Kind.OTHER, "text that reads as neither settings nor commands")
    return ReadBlock(block, Kind.OTHER, f"a {language} block: nothing Django runs")


def _read_python(block: FoundBlock, source: str, stated: bool) -> ReadBlock:
    try:
        meant, tree = parse_as_meant(source)
    except SyntaxError as exc:
        if not stated:
            return ReadBlock(block, Kind.OTHER)
        if _looks_like_commands(source):
            return ReadBlock(block, Kind.SHELL, "marked python, but it holds shell commands")
        what = _what_it_is(source)
        if what:
            return ReadBlock(block, Kind.NOT_PYTHON, f"marked python, but it is {what}")
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
        return ReadBlock(block, Kind.URLCONF, tree=tree, meant=meant)
    if any(name.isupper() for name in names) or _edits_a_setting(tree) or _star_import(tree):
        return ReadBlock(block, Kind.SETTINGS, tree=tree, meant=meant)
    module = _other_module(tree)
    if module:
        return ReadBlock(block, Kind.MODULE, module, tree=tree, meant=meant)
    if not stated:
        return ReadBlock(block, Kind.OTHER)
    return ReadBlock(
        block, Kind.PYTHON, "Python that is neither settings nor a URLconf", tree=tree, meant=meant
    )


def _unwrapped(source: str) -> str:
    """The code of a block whose whole text is wrapped in inline backticks, as pages
    scraped from HTML often are (```` ```py ```` then `` `FROM python:3.12` ``)."""
    stripped = source.strip()
    if len(stripped) > 2 and stripped[0] == stripped[-1] == "`" and stripped[1] != "`":
        return stripped[1:-1] + "\n"
    return source


def _dedented(source: str) -> str:
    """The indentation every code line shares removed, even when a comment such as
    ``# settings.py`` sits at the margin above it."""
    code = [
        text for text in source.split("\n") if text.strip() and not text.lstrip().startswith("#")
    ]
    margin = min((len(text) - len(text.lstrip()) for text in code), default=0)
    if not margin or any(not text[:margin].isspace() for text in code):
        return textwrap.dedent(source)
    lines = source.split("\n")
    return "\n".join(text[margin:] if text[:margin].isspace() else text.lstrip() for text in lines)


def parse_as_meant(source: str) -> tuple[str, ast.Module]:
    """Parse ``source`` as its reader reads it: indentation common to every line removed,
    and a body the author left out (``try:`` then nothing) read as ``...``."""
    text = _ELISION.sub(r"\g<indent>...", _dedented(source))  # "…" as typed on some keyboards
    for _ in range(20):  # one elided body per round; a real block has a few at most
        try:
            return text, ast.parse(text)
        except SyntaxError as exc:
            if "forgot a comma" in str(exc.msg) and _ELISION.search(text):
                text = _ELISION.sub(r"\g<0>,", text)  # "..." then the next item: in a list
                continue
            match = _EXPECTED_BODY.search(str(exc.msg))
            if not match:
                raise
            lines = text.split("\n")
            header = int(match[1]) - 1
            indent = len(lines[header]) - len(lines[header].lstrip()) + 4
            lines.insert(header + 1, " " * indent + "...")
            text = "\n".join(lines)
    return text, ast.parse(text)


def _edits_a_setting(tree: ast.Module) -> bool:
    """``MIDDLEWARE.insert(1, ...)``, ``STORAGES["staticfiles"][...] = ...`` or
    ``django_heroku.settings(locals())`` edit settings too."""
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and _upper_name(func.value):
                return True
            if any(isinstance(a, ast.Call) and _called(a) == "locals" for a in node.value.args):
                return True
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Subscript) and _upper_name(t) for t in targets):
            return True
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            body = [n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt)]
            inner = ast.Module(body=body, type_ignores=[])
            if _edits_a_setting(inner) or _assigns_upper(inner):
                return True
    return False


def _star_import(tree: ast.Module) -> bool:
    """``from .local import *``: only settings modules are put together this way."""
    return any(
        isinstance(node, ast.ImportFrom) and node.level and node.names[0].name == "*"
        for node in ast.walk(tree)
    )


def _assigns_upper(tree: ast.Module) -> bool:
    return any(
        isinstance(target, ast.Name) and target.id.isupper()
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
    )


def _upper_name(node: ast.expr) -> bool:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return isinstance(node, ast.Name) and node.id.isupper()


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _other_module(tree: ast.Module) -> str:
    """What other file of a project this Python is, when it says so."""
    calls = {_called(node) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assigned = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    if "application" in assigned or calls & {"get_wsgi_application", "get_asgi_application"}:
        return "the project's wsgi.py or asgi.py"
    return ""


_Sniffer = Callable[[list[str]], bool]
_SHAPES: list[tuple[str, _Sniffer]] = [
    ("a Dockerfile", lambda lines: bool(re.match(r"FROM\s+\S+", _first_instruction(lines)))),
    ("a Procfile", lambda lines: all(re.match(r"[a-z][\w-]*:\s*\S", t) for t in lines)
     and any(re.match(r"(web|worker|release)\s*:", t) for t in lines)),
    ("environment variables (.env)",
     lambda lines: all(re.match(r"(export\s+)?[A-Za-z_]\w*=\S*$", t) for t in lines)),
    ("YAML", lambda lines: all(re.match(r"(- |[\w.-]+:(\s|$)|#|\s)", t) for t in lines)
     and any(re.match(r"[\w.-]+:(\s|$)", t) for t in lines)),
    ("command output", lambda lines: any(_PROMPT.match(t) for t in lines)),
]  # fmt: skip


def _first_instruction(lines: list[str]) -> str:
    return next((text for text in lines if not text.lstrip().startswith("#")), "")


def _what_it_is(source: str) -> str:
    """What a block that is not Python is, from its text; ``""`` when it does not say."""
    lines = [text for text in source.split("\n") if text.strip()]
    if not lines:
        return "an empty block"
    return next((what for what, sniff in _SHAPES if sniff(lines)), "")


def _looks_like_commands(source: str) -> bool:
    lines = [text.strip() for text in source.splitlines() if text.strip()]
    return bool(lines) and all(_COMMAND.match(text) or _PROMPT.match(text) for text in lines)


def _looks_like_requirements(source: str) -> bool:
    lines = [text.split("#")[0].strip() for text in source.splitlines()]
    lines = [text for text in lines if text]
    return bool(lines) and all(_REQUIREMENT.match(text) for text in lines)
