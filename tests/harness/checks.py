"""What the pages claim about a project's configuration, as checks on its facts.

Each check returns a ``CheckResult``. ``blame`` names the setting whose block is at
fault (the scenario maps it to the block that last changed that setting); ``None``
blames the block that triggered the check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .versions import Line

WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
RUNSERVER_NOSTATIC = "whitenoise.runserver_nostatic"
STATICFILES_APP = "django.contrib.staticfiles"
#: The example app's files, relative to STATIC_ROOT.
EXAMPLE_FILES = (
    "static_demo/site.css",
    "static_demo/app.js",
    "static_demo/img/logo.svg",
    "static_demo/fonts/demo.woff",
)
STORAGE_SETTINGS = ("STORAGES", "STATICFILES_STORAGE")
#: Settings a system check message may name; the block that changed one is blamed.
_NAMED_SETTINGS = (
    "MIDDLEWARE", "INSTALLED_APPS", "TEMPLATES", "STATICFILES_DIRS", "STATIC_ROOT",
    "STATIC_URL", "STORAGES", "STATICFILES_STORAGE", "ALLOWED_HOSTS", "DATABASES",
)  # fmt: skip


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    expected: str = ""
    got: str = ""
    blame: str | tuple[str, ...] | None = None
    hint: str = ""


def outcome(name, ok, expected="", got="", blame=None, hint="") -> CheckResult:
    """A CheckResult; what came is kept only when the check failed."""
    return CheckResult(name, bool(ok), expected, got if not ok else "", blame, hint)


def configuration_checks(facts: Mapping, line: Line) -> list[CheckResult]:
    """Every check runs and is reported, passed or not, so the report shows what was checked."""
    middleware_errors = "\n".join(f"{p}: {e}" for p, e in facts["middleware_errors"].items())
    return [
        outcome(
            "django-check",
            facts["check_passed"],
            "manage.py check reports no errors",
            facts["check_output"],
            blame=tuple(name for name in _NAMED_SETTINGS if name in facts["check_output"]) or None,
        ),
        *_ineffective_settings(facts, line),
        outcome(
            "default-storage",
            not facts["default_storage_error"],
            "default file storage works",
            facts["default_storage_error"],
            blame="STORAGES",
            hint='STORAGES replaces Django\'s whole default, so keep a "default" entry '
            'beside "staticfiles".',
        ),
        outcome(
            "middleware-importable",
            not middleware_errors,
            "every MIDDLEWARE entry can be imported",
            middleware_errors,
            blame="MIDDLEWARE",
            hint="Check the dotted path for typos.",
        ),
        outcome(
            "staticfiles-storage-importable",
            not facts["staticfiles_storage_error"],
            "the staticfiles storage backend can be imported",
            facts["staticfiles_storage_error"],
            blame=STORAGE_SETTINGS,
            hint='Check the backend\'s dotted path for typos, and that STORAGES has a "staticfiles" entry.',
        ),
        *_app_order(facts["installed_apps"]),
        *_middleware_order(facts),
    ]


def _ineffective_settings(facts: Mapping, line: Line) -> list[CheckResult]:
    """STATICFILES_STORAGE is ignored from Django 5.1, STORAGES unknown before 4.2."""
    ignored = {"STATICFILES_STORAGE": line >= (5, 1), "STORAGES": line < (4, 2)}
    results = []
    for name, overridden in facts["overridden"].items():
        if name not in ignored or not overridden:
            continue
        results.append(
            outcome(
                "setting-has-effect",
                not ignored[name],
                f"{name} takes effect on Django {facts['django']}",
                f"{name} is set, but Django {facts['django']} ignores it "
                + (
                    "(removed in Django 5.1): no hashing, no compression, no error"
                    if name == "STATICFILES_STORAGE"
                    else "(STORAGES arrived in Django 4.2), so the default storage is used"
                ),
                blame=name,
                hint='Use STORAGES = {"staticfiles": {"BACKEND": ...}} on Django 4.2+.'
                if name == "STATICFILES_STORAGE"
                else 'Use STATICFILES_STORAGE = "..." before Django 4.2.',
            )
        )
    return results


def _app_order(apps: list[str]) -> list[CheckResult]:
    if RUNSERVER_NOSTATIC not in apps:
        return []
    ok = STATICFILES_APP not in apps or apps.index(RUNSERVER_NOSTATIC) < apps.index(STATICFILES_APP)
    return [
        outcome(
            "runserver-nostatic-order",
            ok,
            f"{RUNSERVER_NOSTATIC} above {STATICFILES_APP} in INSTALLED_APPS",
            f"INSTALLED_APPS = {apps}",
            blame="INSTALLED_APPS",
            hint="Django uses the first app's runserver command, so WhiteNoise's must come first.",
        )
    ]


def _middleware_order(facts: Mapping) -> list[CheckResult]:
    middleware = facts["middleware"]
    uses_storage = facts.get("whitenoise_storage", False)
    if WHITENOISE_MIDDLEWARE not in middleware:
        if not uses_storage:
            return []
        return [
            outcome(
                "whitenoise-storage-needs-middleware",
                False,
                f"{WHITENOISE_MIDDLEWARE} in MIDDLEWARE",
                f"{facts['staticfiles_storage']} is set, but MIDDLEWARE has no WhiteNoise",
                blame=STORAGE_SETTINGS,
                hint="WhiteNoise's storage only prepares the files; with DEBUG=False nothing "
                "serves them until WhiteNoiseMiddleware is in MIDDLEWARE.",
            )
        ]
    position = middleware.index(WHITENOISE_MIDDLEWARE)
    wanted = middleware.index(SECURITY_MIDDLEWARE) + 1 if SECURITY_MIDDLEWARE in middleware else 0
    return [
        outcome(
            "whitenoise-after-security-middleware",
            position == wanted,
            "WhiteNoiseMiddleware directly after SecurityMiddleware, above every other middleware",
            f"MIDDLEWARE = {middleware}",
            blame="MIDDLEWARE",
            hint="Static responses skip every middleware below WhiteNoise and still get "
            "SecurityMiddleware's headers only when it sits above WhiteNoise.",
        )
    ]


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
