"""What the pages claim about a project's configuration, as checks on its facts.

Each check returns a ``CheckResult``. ``blame`` names the setting whose block is at
fault (the scenario maps it to the block that last changed that setting); ``None``
blames the block that triggered the check. Mistakes come from the rulebook
(``docs_harness.rules``): a failed check carries the rule's code, reason and fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..rules import (
    RUNSERVER_NOSTATIC,
    STATICFILES_APP,
    STORAGE_SETTINGS,
    WHITENOISE_MIDDLEWARE,
    Finding,
    StaticSetup,
    find_mistakes,
    found,
)
from ..versions import Line, format_line
from .project import Facts

#: The example app's files, relative to STATIC_ROOT.
EXAMPLE_FILES = (
    "static_demo/site.css",
    "static_demo/app.js",
    "static_demo/img/logo.svg",
    "static_demo/fonts/demo.woff",
)
#: Settings a system check message may name; the block that changed one is blamed.
_NAMED_SETTINGS = (
    "MIDDLEWARE", "INSTALLED_APPS", "TEMPLATES", "STATICFILES_DIRS", "STATIC_ROOT",
    "STATIC_URL", "STORAGES", "STATICFILES_STORAGE", "ALLOWED_HOSTS", "DATABASES",
)  # fmt: skip
Blame = str | tuple[str, ...] | None


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    expected: str = ""
    got: str = ""
    blame: Blame = None
    hint: str = ""


def outcome(
    name: str, ok: object, expected: str = "", got: str = "", blame: Blame = None, hint: str = ""
) -> CheckResult:
    """A CheckResult; what came is kept only when the check failed."""
    return CheckResult(name, bool(ok), expected, got if not ok else "", blame, hint)


def broken(name: str, expected: str, finding: Finding, evidence: str, blame: Blame) -> CheckResult:
    """A check failed by the rulebook's ``finding``: its code and reason, then the evidence."""
    got = finding.message + (f"\n{evidence}" if evidence else "")
    return CheckResult(name, False, expected, got, blame, finding.fix)


@dataclass(frozen=True)
class _RuleCheck:
    """A harness check that passes when none of its rules is broken. Passed or failed, it
    lands on the block that last set what it is about (``blame``)."""

    name: str
    expected: str
    rules: tuple[str, ...]
    applies: Callable[[StaticSetup], bool]
    evidence: Callable[[StaticSetup], str]
    blame: Blame


_RULE_CHECKS = (
    _RuleCheck(
        "runserver-nostatic-order",
        f"{RUNSERVER_NOSTATIC} above {STATICFILES_APP} in INSTALLED_APPS",
        ("nostatic-below-staticfiles",),
        lambda setup: RUNSERVER_NOSTATIC in setup.installed_apps,
        lambda setup: f"INSTALLED_APPS = {list(setup.installed_apps)}",
        blame="INSTALLED_APPS",
    ),
    _RuleCheck(
        "whitenoise-after-security-middleware",
        "WhiteNoiseMiddleware directly after SecurityMiddleware, above every other middleware",
        ("middleware-above-security", "middleware-too-low"),
        lambda setup: WHITENOISE_MIDDLEWARE in setup.middleware,
        lambda setup: f"MIDDLEWARE = {list(setup.middleware)}",
        blame="MIDDLEWARE",
    ),
    _RuleCheck(
        "whitenoise-storage-needs-middleware",
        f"{WHITENOISE_MIDDLEWARE} in MIDDLEWARE",
        ("storage-without-middleware",),
        lambda setup: WHITENOISE_MIDDLEWARE not in setup.middleware and setup.whitenoise_storage,
        lambda setup: f"MIDDLEWARE = {list(setup.middleware)}",
        # The storage block is what needs the middleware, whatever MIDDLEWARE shows.
        blame=STORAGE_SETTINGS,
    ),
)
#: One "setting-has-effect" check per storage setting the project sets, on its block.
_SETTING_EFFECT = ("staticfiles-storage-ignored", "storages-ignored")


def static_setup(facts: Facts, line: Line) -> StaticSetup:
    """The rulebook's view of what Django reported at run time."""
    return StaticSetup(
        line,
        facts["middleware"],
        facts["installed_apps"],
        frozenset(name for name, overridden in facts["overridden"].items() if overridden),
        facts.get("staticfiles_storage") or "",
        whitenoise_storage=facts.get("whitenoise_storage", False),
    )


def configuration_checks(facts: Facts, line: Line) -> list[CheckResult]:
    """Every check runs and is reported, passed or not, so the report shows what was checked."""
    setup = static_setup(facts, line)
    mistakes = find_mistakes(setup)

    def rule_check(check: _RuleCheck) -> list[CheckResult]:
        if not check.applies(setup):
            return []
        failed = [finding for finding in mistakes if finding.rule.name in check.rules]
        return [
            broken(check.name, check.expected, finding, check.evidence(setup), check.blame)
            for finding in failed
        ] or [outcome(check.name, True, check.expected, blame=check.blame)]

    middleware_errors = "\n".join(f"{p}: {e}" for p, e in facts["middleware_errors"].items())
    storage_error = facts["staticfiles_storage_error"]
    return [
        outcome(
            "django-check",
            facts["check_passed"],
            "manage.py check reports no errors",
            facts["check_output"],
            blame=tuple(name for name in _NAMED_SETTINGS if name in facts["check_output"]) or None,
        ),
        *_setting_effects(setup, mistakes),
        _default_storage(facts["default_storage_error"], line),
        _from_rule(
            "middleware-importable", "every MIDDLEWARE entry can be imported",
            middleware_errors and found("middleware-not-importable", errors=middleware_errors),
            blame="MIDDLEWARE",
        ),
        _from_rule(
            "staticfiles-storage-importable", "the staticfiles storage backend can be imported",
            storage_error and found("storage-not-importable", error=storage_error),
            blame=STORAGE_SETTINGS,
        ),
        *(result for check in _RULE_CHECKS for result in rule_check(check)),
    ]  # fmt: skip


def _default_storage(error: str | None, line: Line) -> CheckResult:
    """Default storage broken: WN204 where STORAGES lacks "default", else Django's error."""
    name, expected = "default-storage", "default file storage works"
    missing_default = found("storages-without-default")
    if not error:
        return outcome(name, True, expected, blame="STORAGES")
    if "'default'" in error and missing_default.rule.lines.contains(line):
        return broken(name, expected, missing_default, error, "STORAGES")
    return CheckResult(name, False, expected, error, "STORAGES")


def _setting_effects(setup: StaticSetup, mistakes: list[Finding]) -> list[CheckResult]:
    """STATICFILES_STORAGE is ignored from Django 5.1, STORAGES unknown before 4.2."""
    results = []
    for name in ("STATICFILES_STORAGE", "STORAGES"):
        if name not in setup.storage_settings:
            continue
        expected = f"{name} takes effect on Django {format_line(setup.line)}"
        ignored = [f for f in mistakes if f.rule.name in _SETTING_EFFECT and f.about == name]
        results += [broken("setting-has-effect", expected, f, "", name) for f in ignored] or [
            outcome("setting-has-effect", True, expected, blame=name)
        ]
    return results


def _from_rule(
    name: str, expected: str, finding: Finding | str | None, blame: Blame, evidence: str = ""
) -> CheckResult:
    """A check that fails when the facts showed ``finding`` (falsy: they did not)."""
    if isinstance(finding, Finding):
        return broken(name, expected, finding, evidence, blame)
    return outcome(name, True, expected, blame=blame)


def collected_files_check(
    static_root: Path | None, extra_dirs: list[tuple[str, Path]]
) -> CheckResult:
    """The example app's files, and those of each STATICFILES_DIRS folder (under its
    prefix, if it has one), are in STATIC_ROOT."""
    if static_root is None:
        return outcome("collected-files", False, "STATIC_ROOT is set", "STATIC_ROOT is not set")
    expected = list(EXAMPLE_FILES)
    for prefix, folder in extra_dirs:
        expected += [
            "/".join(filter(None, [prefix, path.relative_to(folder).as_posix()]))
            for path in (folder.rglob("*") if folder.is_dir() else [])
            if path.is_file() and not _ignored_by_collectstatic(path.relative_to(folder))
        ]
    missing = [name for name in expected if not _collected(static_root, name)]
    return outcome(
        "collected-files",
        not missing,
        f"{len(expected)} files collected into {static_root}",
        f"missing: {missing}",
    )


def _collected(static_root: Path, name: str) -> bool:
    """The file, or only its hashed copy (WHITENOISE_KEEP_ONLY_HASHED_FILES), is there."""
    path = static_root / name
    if path.is_file():
        return True
    hashed = re.compile(rf"{re.escape(path.stem)}\.[0-9a-f]{{12}}{re.escape(path.suffix)}")
    return path.parent.is_dir() and any(hashed.fullmatch(p.name) for p in path.parent.iterdir())


def _ignored_by_collectstatic(relative: Path) -> bool:
    """collectstatic's default ignore patterns: CVS, .*, *~."""
    return any(
        part == "CVS" or part.startswith(".") or part.endswith("~") for part in relative.parts
    )
