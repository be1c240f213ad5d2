"""One Markdown page on the installed Django line: each block works, is broken (with the
reason and the fix), or cannot be checked (and why).

The page's settings blocks are merged, in page order, into a fresh ``startproject``
project, the way a reader pastes them. Names a snippet uses but never imports are read
as a reader reads them: ``os`` and ``Path`` are imported, a name an earlier block
imported is imported, an ``env()`` or ``config()`` helper reads an environment variable
(each variable read gets a stand-in value), a Django setting edited in place starts
from Django's default, and ``from .base import *`` means "the settings you already
have". ``loading`` then loads what the page led to and names what is wrong; a block
that needs a package not installed here comes back, and the page is read again with
only that block's lines that use the package left out.
"""

from __future__ import annotations

import ast
import builtins
import re
from importlib.metadata import version
from pathlib import Path

from ..harness.project import Project, ProjectFactory, django_default
from ..harness.settings_merge import SnippetError, mark_placeholders
from ..versions import parse_line
from . import environment
from .block_kinds import Kind, ReadBlock, read_block
from .document import MAX_BLOCKS, MAX_SETTINGS_LINES, Unreadable
from .environment import ENV_HELPERS
from .loading import settle
from .markdown_blocks import find_blocks
from .page_state import BROKEN as BROKEN
from .page_state import HANDLERS, SETTINGS_KINDS, WORKS, Page, PageState, dotted_names, handles
from .page_state import NOT_CHECKABLE as NOT_CHECKABLE
from .page_state import SAID as SAID
from .page_state import Verdict as Verdict
from .prose import told_to_install

#: Defaults of settings newer than some lines (STORAGES: Django 4.2), so that a page
#: editing one in place is read on older lines too, where the rulebook names it.
_LATER_DEFAULTS = {
    "STORAGES": '{"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, '
    '"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}',
}
_STAR_IMPORT = re.compile(r"^(?P<indent>[ \t]*)from\s+\.?[\w.]*\s+import\s+\*.*$", re.M)
_PIP_INSTALL = re.compile(r"\bpip3?\s+install\s+(?P<args>.+)$")


def read_page(path: Path, text: str) -> Page:
    """What a reader takes from a page before running anything; raises ``Unreadable``
    for a page with more blocks than check-docs reads."""
    blocks = find_blocks(path, text)
    if len(blocks) > MAX_BLOCKS:
        raise Unreadable(
            f"{len(blocks):,} code blocks; check-docs reads documents of up to {MAX_BLOCKS}"
        )
    read = [read_block(block) for block in blocks]
    settings = sum(i.source.count("\n") for i in read if i.kind in SETTINGS_KINDS)
    if settings > MAX_SETTINGS_LINES:
        raise Unreadable(
            f"{settings:,} lines of settings in its code blocks; check-docs merges up to "
            f"{MAX_SETTINGS_LINES:,}"
        )
    return Page(read, told_to_install(text))


def check_page(path: Path, text: str, factory: ProjectFactory, name: str) -> list[Verdict]:
    line = parse_line(version("django"))
    page = read_page(path, text)
    #: block line -> (why it is set aside, the missing module its other lines can do without)
    set_aside: dict[int, tuple[str, str]] = {}
    for attempt in range(len(page.blocks) + 1):  # each round sets one block aside
        state = _read_in_order(page, factory.new(f"{name}-{attempt}"), set_aside)
        aside = settle(state, line, factory, f"{name}-{attempt}")
        if aside is None:
            break
        where = aside.verdict.block.line
        again = where in set_aside  # its remaining lines failed too: all of it
        set_aside[where] = (aside.verdict.reason, "" if again else aside.module)
    return [
        state.verdicts.get(item.block.line) or Verdict(item.block, WORKS, _works_with(item, state))
        for item in page.blocks
    ]


def _read_in_order(
    page: Page, project: Project, set_aside: dict[int, tuple[str, str]]
) -> PageState:
    state = PageState(project, told=page.told)
    for item in page.blocks:
        state.note_imports(item)
        reason, module = set_aside.get(item.block.line, ("", ""))
        rest = _without(item, module, state.imports) if module else None
        if rest is not None:
            state.without[item.block.line] = module
            item = rest
        elif reason:
            state.not_checkable(item, reason)
            if item.tree is not None and _passes_locals(item.tree):
                state.opaque.append(item)
            continue
        state.read.append(item)
        HANDLERS[item.kind](state, item)
    return state


def _without(item: ReadBlock, module: str, imports: dict[str, str]) -> ReadBlock | None:
    """``item`` without the statements that import or use ``module`` (one not installed
    here), when settings are left; the rest of the block is still checked."""
    if item.tree is None or item.kind != Kind.SETTINGS:
        return None
    top = module.split(".")[0]
    bound = {top} | {name for name, text in imports.items() if top in text}
    kept = []
    for statement in item.tree.body:
        names = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)}
        imports_it = isinstance(statement, (ast.Import, ast.ImportFrom)) and top in ast.unparse(
            statement
        )
        if bound & names or imports_it:
            bound |= names  # what it assigned goes too (db = dj_database_url.config())
        else:
            kept.append(statement)
    if all(_is_placeholder(s) for s in kept) or len(kept) == len(item.tree.body):
        return None
    source = "\n".join(ast.get_source_segment(item.source, s) or ast.unparse(s) for s in kept)
    tree = ast.parse(source)
    return ReadBlock(item.block, Kind.SETTINGS, item.reason, tree=tree, meant=source + "\n")


def _is_placeholder(statement: ast.stmt) -> bool:
    """``...`` (or ``--snip--``, read as it) or ``pass``: nothing left to check."""
    constant = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    return constant or isinstance(statement, ast.Pass)


def _works_with(item: ReadBlock, state: PageState) -> str:
    """What a block's "works" rests on, when more than the block itself."""
    if item.block.line in state.without:
        module = state.without[item.block.line]
        return f"without its lines that use {module}, which is not installed beside check-docs"
    stand_ins = state.environment
    lines = [text.strip() for text in item.block.source.split("\n")]
    others = [text for text in lines if text and not text.startswith("#")]
    if item.kind == Kind.SHELL and not all(_PIP_INSTALL.search(text) for text in others):
        return "its pip install counts as the install step; other commands are not run"
    names = sorted(environment.read_names(item.tree) & stand_ins) if item.tree else []
    if names:
        return f"with stand-in values for the environment variables {', '.join(names)}"
    return ""


@handles(Kind.SETTINGS)
def _read_settings(state: PageState, item: ReadBlock) -> None:
    if item.tree is not None and _passes_locals(item.tree):
        state.opaque.append(item)
    problem = _apply(state, item)
    if problem:
        state.not_checkable(item, problem)


@handles(Kind.URLCONF)
def _read_urlconf(state: PageState, item: ReadBlock) -> None:
    state.urlconf, state.setter["urlpatterns"] = item.tree, item
    state.mentions(item, dotted_names(item.tree))


@handles(Kind.MODULE)
def _read_module(state: PageState, item: ReadBlock) -> None:
    """Another file of the project: what it imports counts (an API WhiteNoise removed),
    but nothing runs it."""
    state.mentions(item, dotted_names(item.tree))
    state.not_checkable(item, f"{item.reason}; check-docs checks the settings")


@handles(Kind.SHELL, Kind.REQUIREMENTS)
def _read_installs(state: PageState, item: ReadBlock) -> None:
    found = _installs(item)
    if found is not None:
        state.installed = [*(state.installed or []), *found]
        state.setter["install"] = item
    elif item.kind == Kind.SHELL:
        state.not_checkable(
            item, item.reason or "shell commands other than pip install are not run"
        )


@handles(Kind.PYTHON, Kind.NOT_PYTHON, Kind.NOT_CODE, Kind.OTHER)
def _not_checkable(state: PageState, item: ReadBlock) -> None:
    state.not_checkable(item, item.reason or "nothing check-docs can run")


def _apply(state: PageState, item: ReadBlock) -> str:
    """Merge one settings block; a reason when it cannot be, else ``""``."""
    project = state.project
    # "the settings you already have": startproject's, already in the file
    source = _STAR_IMPORT.sub(r"\g<indent>pass", item.source)
    try:
        tree = ast.parse(source)
        missing = _undefined_names(tree, project.settings_path.read_text())
    except SyntaxError as exc:
        return f"cannot be merged into a settings file: {exc.msg}"
    # A Django setting edited in place (STORAGES["staticfiles"] = ...) starts from
    # Django's default, as in a settings file that spells the default out.
    defaults = {
        name: django_default(name) or _LATER_DEFAULTS.get(name)
        for name in missing
        if name.isupper()
    }
    defaults = {name: value for name, value in defaults.items() if value is not None}
    shown = {name: state.imports[name] for name in missing if name in state.imports}
    # An undefined upper-case name (DEBUG = FALSE) fails for a reader too: left to load.
    unknown = sorted(
        name
        for name in missing - {"os", "Path", *ENV_HELPERS, *defaults, *shown}
        if not name.isupper()
    )
    if unknown:
        return f"uses {', '.join(unknown)}, which the page never defines"
    imports = (("os", "import os\n"), ("Path", "from pathlib import Path\n"))
    prelude = "".join(text for needed, text in imports if needed in missing)
    prelude += "".join(sorted(set(shown.values())))
    prelude += "".join(f"{name} = {value}\n" for name, value in sorted(defaults.items()))
    helpers = [helper for helper in ENV_HELPERS if helper in missing]
    if helpers:
        _define_env_helpers(project, helpers)
    try:
        touched = project.apply_settings(prelude + source)
    except (SnippetError, SyntaxError) as exc:
        return f"cannot be merged into a settings file: {exc}"
    marked = mark_placeholders(source)
    for statement in ast.parse(marked).body:
        assigned = statement.targets if isinstance(statement, ast.Assign) else []
        shown_whole = not any(
            isinstance(node, ast.Constant) and node.value is Ellipsis
            for node in ast.walk(statement)
        )
        state.whole.update(t.id for t in assigned if isinstance(t, ast.Name) and shown_whole)
    for setting in touched:
        state.setter[setting] = item
    state.mentions(item, dotted_names(tree) | {name.lower() for name in touched})
    state.environment |= environment.read_names(tree)
    return ""


def _passes_locals(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "locals"
        for node in ast.walk(tree)
    )


def _undefined_names(tree: ast.Module, settings: str) -> set[str]:
    defined = set(dir(builtins)) | {"__file__", "__name__"}  # every module has them
    for module in (tree, ast.parse(settings)):
        for node in ast.walk(module):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                defined.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                defined.add(node.name)
            elif isinstance(node, ast.arg):
                defined.add(node.arg)
    used = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    return used - defined


def _define_env_helpers(project: Project, helpers: list[str]) -> None:
    """Define ``env``/``config`` after the settings' imports, as environment lookups."""
    settings = project.settings_path.read_text()
    helpers = [helper for helper in helpers if f"\n{helper} = _EnvironmentLookup()" not in settings]
    if not helpers:
        return
    after = 0  # the last line of the docstring and imports the file starts with
    for node in ast.parse(settings).body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if not (docstring or isinstance(node, (ast.Import, ast.ImportFrom))):
            break
        after = node.end_lineno or after
    lines = settings.splitlines(keepends=True)
    defs = environment.helpers_source(helpers)
    project.settings_path.write_text(
        "".join(lines[:after]) + "\nimport os" + defs + "".join(lines[after:])
    )


def _installs(item: ReadBlock) -> list[str] | None:
    if item.kind == Kind.REQUIREMENTS:
        return [text.split("#")[0].strip() for text in item.source.splitlines() if text]
    args = []
    for text in item.block.source.splitlines():
        match = _PIP_INSTALL.search(text)
        if match:
            args += [word for word in match["args"].split() if not word.startswith("-")]
    return args or None
