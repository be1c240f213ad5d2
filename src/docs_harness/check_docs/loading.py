"""The settings a page leads to, loaded in the project's sandbox, checked by Django and
the rulebook, and each mistake put on the block a reader should change.

Settings that do not load are blamed on the first block after which they stop loading
(the page is replayed block by block). A block that needs a package not installed here
comes back to ``page_check``, which reads the page again without it.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from typing import Any

from ..harness.outputs import last_exception
from ..harness.project import Project, ProjectFactory, SettingsError
from ..rules import found
from ..versions import Line
from .block_kinds import Kind, ReadBlock
from .diagnoses import PageSettings, diagnose, removed_api
from .page_state import (
    BROKEN,
    HANDLERS,
    NOT_CHECKABLE,
    SETTINGS_KINDS,
    PageState,
    Verdict,
    dotted_names,
)
from .sandbox import MEMORY, refusal

_CHECK_ERROR = re.compile(r"^\S+: \(\w+\.E\d+\) .*$", re.M)
_DATABASE_DRIVER = re.compile(r"psycopg|mysql|oracle|database", re.I)
_NEEDS_PACKAGE = re.compile(r"Error loading \w+|No module named|is not installed")
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '(?P<module>[\w.]+)'")
#: Mistakes a settings helper such as ``django_heroku.settings(locals())`` may fix or make.
#: (A storage setting the page sets itself is judged all the same: a line that ignores
#: it ignores it whatever else the helper sets.)
_SET_BY_HELPERS = {
    "middleware-missing", "storage-without-middleware", "middleware-above-security",
    "middleware-too-low",
}  # fmt: skip


@dataclass(frozen=True)
class Aside:
    """A block whose settings need a package not installed here: read the page again
    without the lines that use ``module``."""

    verdict: Verdict
    module: str


def settle(state: PageState, line: Line, factory: ProjectFactory, name: str) -> Aside | None:
    """Load the settings the page leads to and diagnose them. A block whose import needs
    a package not installed here comes back, to be set aside."""
    merged = [
        item
        for item in state.read
        if item.kind in SETTINGS_KINDS and item.block.line not in state.verdicts
    ]
    if not merged:
        _diagnose(state, line, {}, merged)
        return None
    extra = state.environment_values()
    values, failure = _load(state.project, extra)
    if failure is None:
        _diagnose(state, line, values, merged, _run_check(state.project, extra))
        return None
    # The settings do not load: the block after which they stop loading is the one to change.
    culprit = merged[0] if len(merged) == 1 else _first_failing(state, merged, factory, name)
    culprit = culprit or merged[-1]
    verdict = _failure_verdict(culprit, *failure)
    if verdict.status == NOT_CHECKABLE:
        missing = _MISSING_MODULE.search(failure[1])
        return Aside(verdict, missing["module"] if missing else "")
    state.verdicts[culprit.block.line] = verdict
    return None


def _load(project: Project, extra: dict[str, str]) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The settings module's values, read once; or why it cannot be imported, as
    (rule name, error)."""
    try:
        return project.declared_settings(extra), None
    except SettingsError as exc:
        if str(exc).startswith("MemoryError"):
            limit = f"used more than the {MEMORY >> 30} GiB of memory allowed"
            return {}, ("settings-over-limits", limit)
        return {}, ("settings-fail", str(exc))
    except subprocess.TimeoutExpired as exc:
        return {}, ("settings-over-limits", f"did not finish within {exc.timeout:g} seconds")
    except RuntimeError as exc:  # the interpreter died without a report (a signal, a crash)
        return {}, ("settings-fail", str(exc).splitlines()[-1])


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
        names = sorted(n for n in dotted_names(item.tree) if n.startswith("whitenoise.django."))
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
        HANDLERS[item.kind](state, item)
        if _load(state.project, state.environment_values())[1] is not None:
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
