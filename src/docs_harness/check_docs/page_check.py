"""One Markdown page on the installed Django line: each block works, is broken (with the
reason and the fix), or cannot be checked (and why).

The page's settings blocks are merged, in page order, into a fresh ``startproject``
project, the way a reader pastes them. Names a snippet uses but never imports are read
as a reader reads them: ``os`` and ``Path`` are imported, a name an earlier block
imported is imported, an ``env()`` or ``config()`` helper reads an environment variable
(each variable read gets a stand-in value), a Django setting edited in place starts
from Django's default, and ``from .base import *`` means "the settings you already
have". Django then imports the settings and runs its system checks, in the sandbox the
project was made with, and the rules in ``diagnoses`` name what a reader would trip
over. Settings that do not load are blamed on the first block after which they stop
loading; a block that needs a package not installed here is set aside and the page read
again without it.
"""

from __future__ import annotations

import ast
import builtins
import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..harness.outputs import last_exception
from ..harness.project import Project, ProjectFactory, SettingsError, django_default
from ..harness.settings_merge import SnippetError, mark_placeholders
from ..rules import found
from ..verdicts import Status
from ..versions import Line, parse_line
from . import environment
from .block_kinds import Kind, ReadBlock, read_block
from .diagnoses import PageSettings, diagnose, removed_api
from .document import MAX_BLOCKS, MAX_SETTINGS_LINES, Unreadable
from .environment import ENV_HELPERS
from .markdown_blocks import FoundBlock, find_blocks
from .prose import told_to_install
from .sandbox import MEMORY, refusal

#: A block works (passed), is broken (failed) or cannot be checked (skipped).
WORKS, BROKEN, NOT_CHECKABLE = Status.PASSED, Status.FAILED, Status.SKIPPED
#: The statuses in the words check-docs prints.
SAID = {WORKS: "works", BROKEN: "broken", NOT_CHECKABLE: "not checkable"}
_CHECK_ERROR = re.compile(r"^\S+: \(\w+\.E\d+\) .*$", re.M)
_DATABASE_DRIVER = re.compile(r"psycopg|mysql|oracle|database", re.I)
_NEEDS_PACKAGE = re.compile(r"Error loading \w+|No module named|is not installed")
#: Mistakes a settings helper such as ``django_heroku.settings(locals())`` may fix or make.
#: (A storage setting the page sets itself is judged all the same: a line that ignores
#: it ignores it whatever else the helper sets.)
_SET_BY_HELPERS = {
    "middleware-missing", "storage-without-middleware", "middleware-above-security",
    "middleware-too-low",
}  # fmt: skip
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '(?P<module>[\w.]+)'")
#: Defaults of settings newer than some lines (STORAGES: Django 4.2), so that a page
#: editing one in place is read on older lines too, where the rulebook names it.
_LATER_DEFAULTS = {
    "STORAGES": '{"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, '
    '"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}',
}
_STAR_IMPORT = re.compile(r"^(?P<indent>[ \t]*)from\s+\.?[\w.]*\s+import\s+\*.*$", re.M)
_PIP_INSTALL = re.compile(r"\bpip3?\s+install\s+(?P<args>.+)$")
_SETTINGS_KINDS = (Kind.SETTINGS, Kind.URLCONF)


@dataclass(frozen=True)
class Verdict:
    """What check-docs says of one block; a broken block's reason starts with the code."""

    block: FoundBlock
    status: Status
    reason: str = ""
    fix: str = ""
    #: the rulebook's codes, e.g. ("WN104",)
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    blocks: list[ReadBlock]
    #: the prose tells the reader to install WhiteNoise ("add whitenoise to requirements.txt")
    told: bool


@dataclass
class PageState:
    """What a page has led to so far, as its blocks are read in order."""

    project: Project
    verdicts: dict[int, Verdict] = field(default_factory=dict)
    #: setting (or "urlpatterns", "install") -> the block that last set it
    setter: dict[str, ReadBlock] = field(default_factory=dict)
    #: settings a block assigned whole, without a placeholder for the rest
    whole: set[str] = field(default_factory=set)
    #: every dotted name the page's Python mentions
    names: set[str] = field(default_factory=set)
    installed: list[str] | None = None
    urlconf: ast.Module | None = None
    told: bool = False
    #: environment variables the settings read
    environment: set[str] = field(default_factory=set)
    #: the blocks as read, in order (a block set aside in part, as what was left of it)
    read: list[ReadBlock] = field(default_factory=list)
    #: block line -> the missing module whose lines were left out of it
    without: dict[int, str] = field(default_factory=dict)
    #: name -> the import statement of an earlier block that defines it
    imports: dict[str, str] = field(default_factory=dict)
    #: blocks handing the settings to a helper (``django_heroku.settings(locals())``)
    opaque: list[ReadBlock] = field(default_factory=list)

    def environment_values(self) -> dict[str, str]:
        return {name: environment.stand_in(name) for name in sorted(self.environment)}

    def not_checkable(self, item: ReadBlock, reason: str) -> None:
        self.verdicts[item.block.line] = Verdict(item.block, NOT_CHECKABLE, reason)

    def note_imports(self, item: ReadBlock) -> None:
        """Imports any block shows, for a later settings block that uses the name."""
        for node in item.tree.body if item.tree else ():
            if isinstance(node, (ast.Import, ast.ImportFrom)) and node.names[0].name != "*":
                for alias in node.names:
                    name = (alias.asname or alias.name).split(".")[0]
                    self.imports.setdefault(name, ast.unparse(node) + "\n")

    def mentions(self, item: ReadBlock, names: Iterable[str]) -> None:
        """``item`` names these; a mistake in a name is shown on its first block."""
        for name in names:
            self.names.add(name)
            self.setter.setdefault(f"name:{name}", item)


Read = Callable[[PageState, ReadBlock], None]
_HANDLERS: dict[Kind, Read] = {}


def handles(*kinds: Kind) -> Callable[[Read], Read]:
    """Register what reading a page does with a block of ``kinds``."""

    def register(read: Read) -> Read:
        for kind in kinds:
            _HANDLERS[kind] = read
        return read

    return register


def read_page(path: Path, text: str) -> Page:
    """What a reader takes from a page before running anything; raises ``Unreadable``
    for a page with more blocks than check-docs reads."""
    blocks = find_blocks(path, text)
    if len(blocks) > MAX_BLOCKS:
        raise Unreadable(
            f"{len(blocks):,} code blocks; check-docs reads documents of up to {MAX_BLOCKS}"
        )
    read = [read_block(block) for block in blocks]
    settings = sum(i.source.count("\n") for i in read if i.kind in _SETTINGS_KINDS)
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
        aside = _settle_settings(state, line, page, factory, f"{name}-{attempt}")
        if aside is None:
            break
        module = re.match(r"needs ([\w.]+),", aside.reason)
        again = aside.block.line in set_aside  # its remaining lines failed too: all of it
        set_aside[aside.block.line] = (aside.reason, "" if again or not module else module[1])
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
        _HANDLERS[item.kind](state, item)
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
    state.mentions(item, _dotted_names(item.tree))


@handles(Kind.MODULE)
def _read_module(state: PageState, item: ReadBlock) -> None:
    """Another file of the project: what it imports counts (an API WhiteNoise removed),
    but nothing runs it."""
    state.mentions(item, _dotted_names(item.tree))
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
    state.mentions(item, _dotted_names(tree) | {name.lower() for name in touched})
    state.environment |= environment.read_names(tree)
    return ""


def _settle_settings(
    state: PageState, line: Line, page: Page, factory: ProjectFactory, name: str
) -> Verdict | None:
    """Load the settings the page leads to and diagnose them. A block whose import needs
    a package not installed here comes back, to be set aside."""
    merged = [
        item
        for item in state.read
        if item.kind in _SETTINGS_KINDS and item.block.line not in state.verdicts
    ]
    if not merged:
        _diagnose(state, line, {}, merged)
        return None
    extra = state.environment_values()
    failure = _load(state.project, extra)
    if failure is None:
        values = state.project.declared_settings(extra)
        _diagnose(state, line, values, merged, _run_check(state.project, extra))
        return None
    # The settings do not load: the block after which they stop loading is the one to change.
    culprit = merged[0] if len(merged) == 1 else _first_failing(state, merged, factory, name)
    culprit = culprit or merged[-1]
    verdict = _failure_verdict(culprit, *failure)
    if verdict.status == NOT_CHECKABLE:
        return verdict
    state.verdicts[culprit.block.line] = verdict
    return None


def _load(project: Project, extra: dict[str, str]) -> tuple[str, str] | None:
    """Why the settings module cannot be imported, as (rule name, error), or None."""
    try:
        project.declared_settings(extra)
    except SettingsError as exc:
        if str(exc).startswith("MemoryError"):
            return (
                "settings-over-limits",
                f"used more than the {MEMORY >> 30} GiB of memory allowed",
            )
        return "settings-fail", str(exc)
    except subprocess.TimeoutExpired as exc:
        return "settings-over-limits", f"did not finish within {exc.timeout:g} seconds"
    except RuntimeError as exc:  # the interpreter died without a report (a signal, a crash)
        return "settings-fail", str(exc).splitlines()[-1]
    return None


def _run_check(project: Project, extra: dict[str, str]) -> str | None:
    try:
        check = project.manage(("check",), extra=extra)
    except subprocess.TimeoutExpired as exc:
        return f"manage.py check did not finish within {exc.timeout:g} seconds"
    if check.ok:
        return None
    issue = _CHECK_ERROR.search(check.output)  # the first error Django's checks name
    return issue[0].strip() if issue else (last_exception(check.output) or check.tail(3))


def _failure_verdict(item: ReadBlock, rule_name: str, error: str) -> Verdict:
    missing = _MISSING_MODULE.search(error)
    module = missing["module"] if missing else ""
    if module.startswith("whitenoise.django"):
        names = sorted(n for n in _dotted_names(item.tree) if n.startswith("whitenoise.django."))
        finding = removed_api(names[-1] if names else module)
    elif module and module.split(".")[0] not in ("whitenoise", "django"):
        return Verdict(
            item.block, NOT_CHECKABLE,
            f"needs {module}, which is not installed beside check-docs (install it to "
            "check this block); the other blocks are checked without it",
        )  # fmt: skip
    elif attempt := refusal(error):
        finding = found("sandbox-refused", attempt=attempt, error=error)
    elif rule_name == "settings-over-limits":
        finding = found(rule_name, what=error)
    else:
        finding = found(rule_name, error=error)
    return Verdict(item.block, BROKEN, finding.message, finding.fix, (finding.code,))


def _first_failing(
    read: PageState, merged: list[ReadBlock], factory: ProjectFactory, name: str
) -> ReadBlock | None:
    """Replay the page's settings in a new project, loading them after each block."""
    state = PageState(factory.new(f"{name}-replay"), told=read.told, imports=read.imports)
    for item in merged:
        _HANDLERS[item.kind](state, item)
        if _load(state.project, state.environment_values()) is not None:
            return item
    return None


def _diagnose(
    state: PageState,
    line: Line,
    values: dict[str, Any],
    merged: list[ReadBlock],
    check: str | None = None,
) -> None:
    verdicts, installed = state.verdicts, state.installed
    page = PageSettings(
        line, values, frozenset(state.whole), state.urlconf,
        tuple(installed) if installed is not None else None, frozenset(state.names),
        state.told,
    )  # fmt: skip
    found_here = diagnose(page)
    unseen = [item for item in state.opaque if item.block.line in verdicts]
    if unseen:  # a helper that did not run sets settings check-docs cannot see
        found_here = [d for d in found_here if d.rule.name not in _SET_BY_HELPERS]
        for item in unseen:
            aside = verdicts[item.block.line].reason
            reason = f"{aside}; so the middleware it sets is not judged"
            verdicts[item.block.line] = Verdict(item.block, NOT_CHECKABLE, reason)
    if check and any(check.partition(": ")[2] in d.reason for d in found_here):
        check = None  # a diagnosis already names this error, on the block to change
    fallback = _fallback_target(state, merged)
    for diagnosis in found_here:
        target = state.setter.get(diagnosis.about) or fallback
        if target is None:
            continue
        earlier = verdicts.get(target.block.line)
        if earlier is not None and earlier.status != BROKEN:
            if target.kind != Kind.MODULE:
                continue  # a block that could not be merged says so instead
            earlier = None  # another file of the project: not run, but wrong all the same
        reason, fix = diagnosis.message, diagnosis.fix
        codes: tuple[str, ...] = (diagnosis.code,)
        if earlier is not None:  # one block, several mistakes: all of them, in order
            reason, fix = f"{earlier.reason} Also: {reason}", f"{earlier.fix} Then: {fix}"
            codes = (*earlier.checks, *codes)
        verdicts[target.block.line] = Verdict(target.block, BROKEN, reason, fix, codes)
    if check and merged:
        target = _check_target(state, merged, check)
        if _DATABASE_DRIVER.search(check) and "DATABASES" in state.setter:
            target = state.setter["DATABASES"]  # "Error loading psycopg2 or psycopg module"
        if target.block.line in verdicts:
            pass  # that block already says what is wrong with it
        elif _NEEDS_PACKAGE.search(check):  # e.g. a database driver the page installs
            verdicts[target.block.line] = Verdict(
                target.block, NOT_CHECKABLE,
                f"Django's checks need a package not installed beside check-docs ({check}); "
                "install it to check this block",
            )  # fmt: skip
        else:
            verdicts[target.block.line] = _failure_verdict(target, "check-fails", check)


def _check_target(state: PageState, merged: list[ReadBlock], check: str) -> ReadBlock:
    """The block a system check's error is about: the one setting the setting it names,
    else the last one showing a name it quotes (an app, a module), else the last."""
    for name in re.findall(r"\b[A-Z][A-Z_]+\b", check):
        if name in state.setter:
            return state.setter[name]
    quoted = re.findall(r"'([\w.]+)'", check)
    showing = [item for item in merged if any(word in item.source for word in quoted)]
    return showing[-1] if showing else merged[-1]


def _fallback_target(state: PageState, merged: list[ReadBlock]) -> ReadBlock | None:
    """Where a mistake no block set goes: the first settings block that names
    WhiteNoise, else the page's last settings block."""
    settings = [item for item in merged if item.kind == Kind.SETTINGS] or merged
    for name, item in state.setter.items():
        if name.startswith("name:") and "whitenoise" in name and item in settings:
            return item
    return settings[-1] if settings else None


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


def _dotted_names(tree: ast.Module | None) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def _installs(item: ReadBlock) -> list[str] | None:
    if item.kind == Kind.REQUIREMENTS:
        return [text.split("#")[0].strip() for text in item.source.splitlines() if text]
    args = []
    for text in item.block.source.splitlines():
        match = _PIP_INSTALL.search(text)
        if match:
            args += [word for word in match["args"].split() if not word.startswith("-")]
    return args or None
