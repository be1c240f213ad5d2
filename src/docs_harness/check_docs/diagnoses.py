"""Mistakes in the settings a page leads to, as the rulebook words them.

The settings as Django would see them on one release line (plain values: lists,
dicts, strings) go through the rulebook's own detectors; what only a page shows (the
blocks' own text, its URLconf, its install commands) is read here. Nothing runs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..rules import (
    SECURITY_MIDDLEWARE,
    STATICFILES_APP,
    STORAGE_SETTINGS,
    WHITENOISE_MIDDLEWARE,
    Finding,
    StaticSetup,
    find_mistakes,
    found,
)
from ..versions import Line

#: Django's own staticfiles storage: setting it changes nothing, on any line.
DJANGO_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
#: What startproject writes and other parts of Django rely on.
REQUIRED = {
    "MIDDLEWARE": (
        SECURITY_MIDDLEWARE,
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
class PageSettings:
    """What a page leads to on one Django line."""

    line: Line
    #: settings as Django reads them (only the ones the rules look at)
    values: dict[str, Any]
    #: setting names a block assigned whole, without a placeholder for the rest
    replaced_whole: frozenset[str] = frozenset()
    urlconf: ast.Module | None = None
    #: every ``pip install`` argument the page shows; None when it shows no install step
    installed: tuple[str, ...] | None = None
    #: every dotted name the page's Python mentions, imports included
    names: frozenset[str] = field(default_factory=frozenset)
    #: a sentence of the page tells the reader to install WhiteNoise
    told_to_install: bool = False


PageDetector = Callable[["PageSettings"], Iterable[Finding]]
_PAGE_DETECTORS: list[PageDetector] = []


def _page_detector(function: PageDetector) -> PageDetector:
    _PAGE_DETECTORS.append(function)
    return function


def diagnose(page: PageSettings) -> list[Finding]:
    """The rulebook's findings on the page's settings, then those only a page shows."""
    backend = _backend(page.values, page.line)
    setup = StaticSetup(
        page.line,
        _strings(page.values.get("MIDDLEWARE")),
        _strings(page.values.get("INSTALLED_APPS")),
        frozenset(
            name
            for name in STORAGE_SETTINGS
            if name in page.values and page.values[name] != DJANGO_STORAGE  # a no-op
        ),
        backend,
        whitenoise_storage=backend.startswith("whitenoise."),
        # (a page naming only whitenoise.django, which WhiteNoise removed, hears that)
        mentions_whitenoise=any(
            "whitenoise" in name and not name.startswith("whitenoise.django") for name in page.names
        ),
    )
    page_only = [finding for detect in _PAGE_DETECTORS for finding in detect(page)]
    return [*find_mistakes(setup), *(f for f in page_only if f.rule.lines.contains(page.line))]


@_page_detector
def _wrong_types(page: PageSettings) -> Iterable[Finding]:
    old = page.values.get("STATICFILES_STORAGE")
    if "STATICFILES_STORAGE" in page.values and not isinstance(old, str):
        yield found(
            "wrong-type", "STATICFILES_STORAGE",
            setting="STATICFILES_STORAGE", type=type(old).__name__,
        )  # fmt: skip
    storages = page.values.get("STORAGES")
    backend = storages.get("staticfiles") if isinstance(storages, dict) else None
    if isinstance(backend, dict) and not isinstance(backend.get("BACKEND", ""), str):
        yield found(
            "wrong-type", "STORAGES",
            setting='STORAGES["staticfiles"]["BACKEND"]', type=type(backend["BACKEND"]).__name__,
        )  # fmt: skip


@_page_detector
def _middleware_classes(page: PageSettings) -> Iterable[Finding]:
    if "MIDDLEWARE_CLASSES" in page.values:
        yield found("middleware-classes-ignored")


@_page_detector
def _storages_without_default(page: PageSettings) -> Iterable[Finding]:
    storages = page.values.get("STORAGES")
    if isinstance(storages, dict) and "default" not in storages:
        yield found("storages-without-default")


@_page_detector
def _removed_apis(page: PageSettings) -> Iterable[Finding]:
    removed = {name for name in page.names if name.startswith("whitenoise.django")}
    for name in sorted(removed):
        if not any(other.startswith(f"{name}.") for other in removed):  # the fullest name
            yield removed_api(name)


def removed_api(name: str) -> Finding:
    """``whitenoise.django...``, which WhiteNoise 4.0 removed, and what replaces it."""
    replacement = (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if "Storage" in name
        else WHITENOISE_MIDDLEWARE
    )
    return found("removed-api", f"name:{name}", name=name, replacement=replacement)


@_page_detector
def _pasted_whole(page: PageSettings) -> Iterable[Finding]:
    for name, required in REQUIRED.items():
        if name not in page.replaced_whole:
            continue
        present = _strings(page.values.get(name))
        dropped = [entry for entry in required if entry not in present]
        if dropped:
            yield found("pasted-whole", name, setting=name, dropped=", ".join(dropped))


@_page_detector
def _static_helpers(page: PageSettings) -> Iterable[Finding]:
    if page.urlconf is None:
        return
    for helper in sorted(_static_calls(page.urlconf.body)):
        yield found("static-helper", helper=helper)


def _static_calls(statements: list[ast.stmt]) -> set[str]:
    """URL helpers for static files the URLconf relies on: not under ``if DEBUG``, which
    says the author meant them for development, and not ``static(MEDIA_URL, ...)``."""
    called = set()
    for statement in statements:
        if isinstance(statement, ast.If) and "DEBUG" in ast.unparse(statement.test):
            continue
        for node in ast.walk(statement):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            if name == "staticfiles_urlpatterns" or (
                name == "static" and "STATIC" in ast.unparse(node.args[0] if node.args else node)
            ):
                called.add(name)
    return called


@_page_detector
def _install_steps(page: PageSettings) -> Iterable[Finding]:
    if page.installed is None or page.told_to_install:
        return
    if not _sets_whitenoise_up(page):
        return
    if not any(_brings_whitenoise(arg) for arg in page.installed):
        yield found("whitenoise-not-installed")


#: Packages that require WhiteNoise, so installing them installs it (their metadata).
_REQUIRE_WHITENOISE = ("whitenoise", "django-heroku", "django-on-heroku")


def _brings_whitenoise(requirement: str) -> bool:
    name = re.split(r"[\s\[<>=!~;@]", requirement.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-") in _REQUIRE_WHITENOISE


def _sets_whitenoise_up(page: PageSettings) -> bool:
    """The page names one of WhiteNoise's parts (its middleware, a storage): it sets
    WhiteNoise up, so its install steps should install it."""
    return any(
        name.startswith("whitenoise.") and not name.startswith("whitenoise.django")
        for name in page.names
    )


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(item for item in value if isinstance(item, str))


def _backend(values: dict[str, Any], line: Line) -> str:
    """The staticfiles backend the line reads: STORAGES from 4.2, the old setting before
    5.1 (4.2 and 5.0 read either, and refuse both)."""
    storages = values.get("STORAGES")
    staticfiles = storages.get("staticfiles") if isinstance(storages, dict) else None
    if line >= (4, 2) and isinstance(staticfiles, dict):
        backend = staticfiles.get("BACKEND", "")
        return backend if isinstance(backend, str) else ""
    old = values.get("STATICFILES_STORAGE", "") if line < (5, 1) else ""
    return old if isinstance(old, str) else ""
