"""Mistakes in the settings a page leads to, each with the reason a reader needs and the fix.

Rules read the settings as Django would see them on one release line (plain values:
lists, dicts, strings), what the page's own blocks showed, its URLconf and its install
commands. They know each Django line's rules about storages; they run nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from tests.harness.versions import Line

SECURITY = "django.middleware.security.SecurityMiddleware"
WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"
STATICFILES_APP = "django.contrib.staticfiles"
NOSTATIC_APP = "whitenoise.runserver_nostatic"
#: What startproject writes and other parts of Django rely on.
REQUIRED = {
    "MIDDLEWARE": (
        SECURITY,
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ),
    "INSTALLED_APPS": (
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        STATICFILES_APP,
    ),
}


@dataclass(frozen=True)
class Diagnosis:
    code: str
    reason: str
    fix: str
    #: what the mistake is in: a setting's name, "urlpatterns" or "install"
    about: str = ""


@dataclass(frozen=True)
class PageSettings:
    """What a page leads to on one Django line."""

    line: Line
    #: settings as Django reads them (only the ones the rules look at)
    values: dict
    #: setting names a block assigned whole, without a placeholder for the rest
    replaced_whole: frozenset[str] = frozenset()
    urlconf: ast.Module | None = None
    #: every ``pip install`` argument the page shows; None when it shows no install step
    installed: tuple[str, ...] | None = None
    #: every dotted name the page's Python mentions, imports included
    names: frozenset[str] = field(default_factory=frozenset)


#: What each mistake is in, where the rule does not say itself.
_ABOUT = {
    "storage-without-middleware": "MIDDLEWARE",
    "middleware-missing": "MIDDLEWARE",
    "middleware-above-security": "MIDDLEWARE",
    "middleware-too-low": "MIDDLEWARE",
    "nostatic-below-staticfiles": "INSTALLED_APPS",
    "removed-api": "STORAGES",
    "storage-rejected": "STATICFILES_STORAGE",
    "storages-without-default": "STORAGES",
    "static-helper": "urlpatterns",
    "whitenoise-not-installed": "install",
}


def diagnose(page: PageSettings) -> list[Diagnosis]:
    found: list[Diagnosis] = []
    for rule in (
        _middleware,
        _runserver_nostatic,
        _removed_apis,
        _storages,
        _pasted_whole,
        _static_helpers,
        _install_steps,
    ):
        found += [d if d.about else replace(d, about=_ABOUT[d.code]) for d in rule(page)]
    return found


def _middleware(page: PageSettings) -> Iterable[Diagnosis]:
    middleware = list(page.values.get("MIDDLEWARE", []))
    uses_whitenoise = "whitenoise" in _backend(page.values)
    if WHITENOISE not in middleware:
        if uses_whitenoise:
            yield Diagnosis(
                "storage-without-middleware",
                "WhiteNoise's storage is set but its middleware is not in MIDDLEWARE: files "
                "are hashed and compressed, but with DEBUG = False nothing serves them.",
                f'Add "{WHITENOISE}" to MIDDLEWARE, directly below "{SECURITY}".',
            )
        elif any("whitenoise" in name for name in page.names):
            yield Diagnosis(
                "middleware-missing",
                "WhiteNoise's middleware is not in MIDDLEWARE, so with DEBUG = False no "
                "static file is served.",
                f'Add "{WHITENOISE}" to MIDDLEWARE, directly below "{SECURITY}".',
            )
        return
    position = middleware.index(WHITENOISE)
    if SECURITY in middleware and position < middleware.index(SECURITY):
        yield Diagnosis(
            "middleware-above-security",
            "WhiteNoise sits above SecurityMiddleware, so static files go out without "
            "X-Content-Type-Options: nosniff and the other security headers.",
            f'Move "{WHITENOISE}" directly below "{SECURITY}".',
        )
    elif position != (middleware.index(SECURITY) + 1 if SECURITY in middleware else 0):
        above = middleware[position - 1]
        where = "last in MIDDLEWARE" if position == len(middleware) - 1 else f"below {above}"
        yield Diagnosis(
            "middleware-too-low",
            f"WhiteNoise sits {where}: every middleware above it runs for every static "
            "file, and adds its headers to them.",
            f'Move "{WHITENOISE}" directly below "{SECURITY}".',
        )


def _runserver_nostatic(page: PageSettings) -> Iterable[Diagnosis]:
    apps = list(page.values.get("INSTALLED_APPS", []))
    in_both = NOSTATIC_APP in apps and STATICFILES_APP in apps
    if in_both and apps.index(NOSTATIC_APP) > apps.index(STATICFILES_APP):
        yield Diagnosis(
            "nostatic-below-staticfiles",
            f'"{NOSTATIC_APP}" is below "{STATICFILES_APP}", so runserver keeps using '
            "Django's own static file handler and WhiteNoise is not used in development.",
            f'Move "{NOSTATIC_APP}" directly above "{STATICFILES_APP}".',
        )


def _removed_apis(page: PageSettings) -> Iterable[Diagnosis]:
    old = sorted(name for name in page.names if name.startswith("whitenoise.django"))
    for name in old:
        replacement = (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if "Storage" in name
            else WHITENOISE
        )
        yield Diagnosis(
            "removed-api",
            f"{name} was removed in WhiteNoise 4.0; importing it fails with "
            "ModuleNotFoundError: No module named 'whitenoise.django'.",
            f"Use {replacement} instead.",
        )


def _storages(page: PageSettings) -> Iterable[Diagnosis]:
    values, line = page.values, page.line
    has_old, has_new = "STATICFILES_STORAGE" in values, "STORAGES" in values
    if has_old and not isinstance(values["STATICFILES_STORAGE"], str):
        yield Diagnosis(
            "wrong-type",
            f"STATICFILES_STORAGE is a {type(values['STATICFILES_STORAGE']).__name__}; "
            "Django needs one dotted path as a string.",
            'Write it as a string: "whitenoise.storage.CompressedManifestStaticFilesStorage".',
            "STATICFILES_STORAGE",
        )
    if line >= (5, 1) and has_old:
        yield Diagnosis(
            "storage-ignored",
            "Django 5.1 and later ignore STATICFILES_STORAGE without a word: files keep "
            "their plain names and no compressed copies are made.",
            'Set STORAGES["staticfiles"]["BACKEND"] instead, and delete STATICFILES_STORAGE.',
            "STATICFILES_STORAGE",
        )
    if (4, 2) <= line < (5, 1) and has_old and has_new:
        yield Diagnosis(
            "storage-rejected",
            "Django 4.2 and 5.0 stop at start-up with ImproperlyConfigured: "
            "STATICFILES_STORAGE/STORAGES are mutually exclusive.",
            "Keep STORAGES and delete the STATICFILES_STORAGE line.",
        )
    if line < (4, 2) and has_new and not has_old:
        yield Diagnosis(
            "storage-ignored",
            "Django before 4.2 does not know STORAGES and ignores it: files keep their plain "
            "names and no compressed copies are made.",
            "On this Django, set STATICFILES_STORAGE to the backend's dotted path.",
            "STORAGES",
        )
    storages = values.get("STORAGES")
    if line >= (4, 2) and isinstance(storages, dict) and "default" not in storages:
        yield Diagnosis(
            "storages-without-default",
            'STORAGES has no "default" entry, so uploads and anything using default_storage '
            "fail with InvalidStorageError: Could not find config for 'default' in "
            "settings.STORAGES.",
            'Add "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}.',
        )
    backend = (storages or {}).get("staticfiles", {}) if isinstance(storages, dict) else {}
    if (
        isinstance(backend, dict)
        and "BACKEND" in backend
        and not isinstance(backend["BACKEND"], str)
    ):
        yield Diagnosis(
            "wrong-type",
            f'STORAGES["staticfiles"]["BACKEND"] is a {type(backend["BACKEND"]).__name__}; '
            "Django needs one dotted path as a string.",
            "Write the backend as a string.",
            "STORAGES",
        )


def _pasted_whole(page: PageSettings) -> Iterable[Diagnosis]:
    for name, required in REQUIRED.items():
        if name not in page.replaced_whole:
            continue
        present = list(page.values.get(name, []))
        dropped = [entry for entry in required if entry not in present]
        if dropped:
            yield Diagnosis(
                "pasted-whole",
                f"The {name} shown replaces the whole list, and drops "
                f"{', '.join(dropped)}, which Django's own parts rely on.",
                "Keep the entries you already have: add only the new ones, or show "
                "the rest as `# ...`.",
                name,
            )


def _static_helpers(page: PageSettings) -> Iterable[Diagnosis]:
    if page.urlconf is None:
        return
    called = {
        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        for node in ast.walk(page.urlconf)
        if isinstance(node, ast.Call)
    }
    for helper in sorted(called & {"static", "staticfiles_urlpatterns"}):
        yield Diagnosis(
            "static-helper",
            f"{helper}() adds URLs only while DEBUG = True; in production it adds nothing, "
            "so it does not serve static files there.",
            "Serve static files with WhiteNoise's middleware; the URL helper can stay for "
            "development.",
        )


def _install_steps(page: PageSettings) -> Iterable[Diagnosis]:
    if page.installed is None or not any("whitenoise" in name for name in page.names):
        return
    if not any(re.match(r"^whitenoise\b", arg, re.I) for arg in page.installed):
        yield Diagnosis(
            "whitenoise-not-installed",
            "The install steps never install whitenoise, so importing it fails with "
            "ModuleNotFoundError: No module named 'whitenoise'.",
            "Add whitenoise to the pip install line or the requirements file.",
        )


def _backend(values: dict) -> str:
    storages = values.get("STORAGES")
    if isinstance(storages, dict) and isinstance(storages.get("staticfiles"), dict):
        backend = storages["staticfiles"].get("BACKEND", "")
        return backend if isinstance(backend, str) else ""
    old = values.get("STATICFILES_STORAGE", "")
    return old if isinstance(old, str) else ""
