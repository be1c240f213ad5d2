"""The rulebook: every mistake in a static-files set-up that the harness and check-docs
name, each stated once with a stable code, the Django lines it exists on, the reason in
a reader's words and the fix.

The mistakes both tools see in the settings themselves (where WhiteNoise sits in
MIDDLEWARE, which storage setting a Django line reads) are also *found* here, on plain
values, by detectors registered for them: the harness feeds them what Django reports
at run time, check-docs what a page's settings declare. Mistakes only one tool can see
(an import that fails, a URLconf, install steps) are found by that tool, and worded
here. ``CONTRIBUTING.md`` lists the rulebook; a test keeps that list current.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .versions import EVERY_LINE, DjangoRange, Line, parse_range

SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
STATICFILES_APP = "django.contrib.staticfiles"
RUNSERVER_NOSTATIC = "whitenoise.runserver_nostatic"
STORAGE_SETTINGS = ("STORAGES", "STATICFILES_STORAGE")
_MOVE_BELOW_SECURITY = f'Move "{WHITENOISE_MIDDLEWARE}" directly below "{SECURITY_MIDDLEWARE}".'
_ADD_BELOW_SECURITY = (
    f'Add "{WHITENOISE_MIDDLEWARE}" to MIDDLEWARE, directly below "{SECURITY_MIDDLEWARE}".'
)


Tool = Literal["harness", "check-docs"]
BOTH: frozenset[Tool] = frozenset(("harness", "check-docs"))
HARNESS: frozenset[Tool] = frozenset(("harness",))
CHECK_DOCS: frozenset[Tool] = frozenset(("check-docs",))


@dataclass(frozen=True)
class Rule:
    """One mistake. ``reason`` and ``fix`` may name ``{fields}`` a finding fills in."""

    code: str
    name: str
    #: What the mistake is in: a setting's name, "urlpatterns" or "install"
    about: str
    reason: str
    fix: str
    #: The Django lines on which this is a mistake
    lines: DjangoRange = EVERY_LINE
    #: Which tools find it: the harness from a running project, check-docs from a page
    found_by: frozenset[Tool] = BOTH


RULES = (
    Rule("WN101", "middleware-missing", "MIDDLEWARE",
         "WhiteNoise's middleware is not in MIDDLEWARE, so with DEBUG = False no static "
         "file is served.",
         _ADD_BELOW_SECURITY,
         found_by=CHECK_DOCS),
    Rule("WN102", "storage-without-middleware", "MIDDLEWARE",
         "WhiteNoise's storage ({backend}) is set, but MIDDLEWARE has no WhiteNoise: files "
         "are hashed and compressed, but with DEBUG = False nothing serves them.",
         _ADD_BELOW_SECURITY),
    Rule("WN103", "middleware-above-security", "MIDDLEWARE",
         "WhiteNoise sits above SecurityMiddleware, so static files go out without "
         "X-Content-Type-Options: nosniff and the other security headers.",
         _MOVE_BELOW_SECURITY),
    Rule("WN104", "middleware-too-low", "MIDDLEWARE",
         "WhiteNoise sits {where}: every middleware above it runs for every static file, "
         "and adds its headers to them.",
         _MOVE_BELOW_SECURITY),
    Rule("WN105", "nostatic-below-staticfiles", "INSTALLED_APPS",
         f'"{RUNSERVER_NOSTATIC}" is below "{STATICFILES_APP}", so runserver keeps using '
         "Django's own static file handler and WhiteNoise is not used in development.",
         f'Move "{RUNSERVER_NOSTATIC}" directly above "{STATICFILES_APP}".'),
    Rule("WN106", "removed-api", "STORAGES",
         "{name} was removed in WhiteNoise 4.0; importing it fails: WhiteNoise 4.0 "
         "to 5.3 raise ImportError (the configuration is incompatible), 6.0 and "
         "later ModuleNotFoundError: No module named 'whitenoise.django'.",
         "Use {replacement} instead.",
         found_by=CHECK_DOCS),
    Rule("WN107", "middleware-not-importable", "MIDDLEWARE",
         "A MIDDLEWARE entry cannot be imported, so Django cannot start: {errors}",
         "Check the dotted path for typos.",
         found_by=HARNESS),
    Rule("WN108", "middleware-classes-ignored", "MIDDLEWARE_CLASSES",
         "Django 2.0 and later ignore MIDDLEWARE_CLASSES: the middleware listed there, "
         "WhiteNoise's included, never runs.",
         "Rename the setting MIDDLEWARE (the list Django reads since 1.10).",
         found_by=CHECK_DOCS),
    Rule("WN201", "staticfiles-storage-ignored", "STATICFILES_STORAGE",
         "Django 5.1 and later ignore STATICFILES_STORAGE without a word: files keep their "
         "plain names and no compressed copies are made.",
         'Set STORAGES["staticfiles"]["BACKEND"] instead, and delete STATICFILES_STORAGE.',
         parse_range("5.1+")),
    Rule("WN202", "storages-ignored", "STORAGES",
         "Django before 4.2 does not know STORAGES and ignores it: files keep their plain "
         "names and no compressed copies are made.",
         "On this Django, set STATICFILES_STORAGE to the backend's dotted path.",
         parse_range("3.2 to 4.1")),
    Rule("WN203", "storage-settings-rejected", "STATICFILES_STORAGE",
         "Django 4.2 and 5.0 stop at start-up with ImproperlyConfigured: "
         "STATICFILES_STORAGE/STORAGES are mutually exclusive.",
         "Keep STORAGES and delete the STATICFILES_STORAGE line.",
         parse_range("4.2 to 5.0")),
    Rule("WN204", "storages-without-default", "STORAGES",
         'STORAGES has no "default" entry, so uploads and anything using default_storage '
         "fail with InvalidStorageError: Could not find config for 'default' in "
         "settings.STORAGES.",
         'STORAGES replaces Django\'s whole default: keep "default": {"BACKEND": '
         '"django.core.files.storage.FileSystemStorage"} beside "staticfiles".',
         parse_range("4.2+")),
    Rule("WN205", "wrong-type", "STORAGES",
         "{setting} is a {type}; Django needs one dotted path as a string.",
         'Write it as a string, e.g. "whitenoise.storage.CompressedManifestStaticFilesStorage".',
         found_by=CHECK_DOCS),
    Rule("WN206", "storage-not-importable", "STORAGES",
         "The staticfiles storage backend cannot be used: {error}",
         "Check the backend's dotted path for typos, and that STORAGES has a "
         '"staticfiles" entry.',
         found_by=HARNESS),
    Rule("WN301", "pasted-whole", "MIDDLEWARE",
         "The {setting} shown replaces the whole list, and drops {dropped}, which Django's "
         "own parts rely on.",
         "Keep the entries you already have: add only the new ones, or show the rest as "
         "`# ...`.",
         found_by=CHECK_DOCS),
    Rule("WN302", "static-helper", "urlpatterns",
         "{helper}() adds URLs only while DEBUG = True; in production it adds nothing, so it "
         "does not serve static files there.",
         "Serve static files with WhiteNoise's middleware; the URL helper can stay for "
         "development.",
         found_by=CHECK_DOCS),
    Rule("WN303", "whitenoise-not-installed", "install",
         "The install steps never install whitenoise, so importing it fails with "
         "ModuleNotFoundError: No module named 'whitenoise'.",
         "Add whitenoise to the pip install line or the requirements file.",
         found_by=CHECK_DOCS),
    Rule("WN304", "settings-fail", "settings",
         "Django cannot load the settings the page leads to: {error}",
         "Change this block so that the settings import; a name it uses must be defined "
         "or imported above it.",
         found_by=CHECK_DOCS),
    Rule("WN305", "check-fails", "settings",
         "Django refuses to start with the settings the page leads to: {error}",
         "Change this block as the error says; `python manage.py check` shows the same "
         "error.",
         found_by=CHECK_DOCS),
    Rule("WN306", "sandbox-refused", "settings",
         "Loading the settings tried to {attempt}, which check-docs refuses: {error}",
         "Settings should only read files in the project and values from the environment; "
         "if you trust the document, run check-docs with --no-sandbox.",
         found_by=CHECK_DOCS),
    Rule("WN307", "settings-over-limits", "settings",
         "Loading the settings {what}.",
         "Settings should not wait or compute at import time; move that work out of "
         "settings.py.",
         found_by=CHECK_DOCS),
)  # fmt: skip
RULEBOOK = {rule.code: rule for rule in RULES}
_BY_NAME = {rule.name: rule for rule in RULES}


def rule(name: str) -> Rule:
    """The rule called ``name`` (e.g. ``"middleware-too-low"``)."""
    return _BY_NAME[name]


@dataclass(frozen=True)
class Finding:
    """A rule broken by one set-up, with the details its reason and fix name."""

    rule: Rule
    fields: Mapping[str, str] = field(default_factory=dict)
    #: What the mistake is in, when not what the rule says (e.g. which storage setting)
    in_setting: str = ""

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def about(self) -> str:
        return self.in_setting or self.rule.about

    @property
    def reason(self) -> str:
        return _filled(self.rule.reason, self.fields)

    @property
    def fix(self) -> str:
        return _filled(self.rule.fix, self.fields)

    @property
    def message(self) -> str:
        """The reason with its code, as failure messages print it."""
        return f"{self.code} {self.reason}"


def found(rule_name: str, /, in_setting: str = "", **fields: str) -> Finding:
    return Finding(rule(rule_name), fields, in_setting)


@dataclass(frozen=True)
class StaticSetup:
    """What a project's static files depend on, as plain values on one Django line."""

    line: Line
    middleware: Sequence[str]
    installed_apps: Sequence[str]
    #: Which of STORAGES and STATICFILES_STORAGE the project sets itself
    storage_settings: frozenset[str]
    #: The staticfiles backend in effect, as a dotted path ("" when unknown)
    backend: str
    #: That backend is one of WhiteNoise's own
    whitenoise_storage: bool = False
    #: The page or project names WhiteNoise somewhere (an import, a setting)
    mentions_whitenoise: bool = False


Detector = Callable[[StaticSetup], Iterable[Finding]]
_DETECTORS: list[Detector] = []


def detector(function: Detector) -> Detector:
    """Register a detector; ``find_mistakes`` runs them in the order registered."""
    _DETECTORS.append(function)
    return function


def find_mistakes(setup: StaticSetup) -> list[Finding]:
    """Every mistake in ``setup`` that exists on its Django line."""
    return [
        finding
        for detect in _DETECTORS
        for finding in detect(setup)
        if finding.rule.lines.contains(setup.line)
    ]


@detector
def _middleware(setup: StaticSetup) -> Iterable[Finding]:
    middleware = list(setup.middleware)
    if WHITENOISE_MIDDLEWARE not in middleware:
        if setup.whitenoise_storage:
            yield found("storage-without-middleware", backend=setup.backend)
        elif setup.mentions_whitenoise:
            yield found("middleware-missing")
        return
    position = middleware.index(WHITENOISE_MIDDLEWARE)
    security = middleware.index(SECURITY_MIDDLEWARE) if SECURITY_MIDDLEWARE in middleware else -1
    if position < security:
        yield found("middleware-above-security")
    elif position != security + 1:
        last = position == len(middleware) - 1
        yield found(
            "middleware-too-low",
            where="last in MIDDLEWARE" if last else f"below {middleware[position - 1]}",
        )


@detector
def _runserver_nostatic(setup: StaticSetup) -> Iterable[Finding]:
    apps = list(setup.installed_apps)
    in_both = RUNSERVER_NOSTATIC in apps and STATICFILES_APP in apps
    if in_both and apps.index(RUNSERVER_NOSTATIC) > apps.index(STATICFILES_APP):
        yield found("nostatic-below-staticfiles")


@detector
def _storage_settings(setup: StaticSetup) -> Iterable[Finding]:
    """Which storage setting a line reads; the rules' ``lines`` say where each applies."""
    both = set(STORAGE_SETTINGS) <= setup.storage_settings
    if "STATICFILES_STORAGE" in setup.storage_settings:
        yield found("staticfiles-storage-ignored")
        if both:
            yield found("storage-settings-rejected")
    if "STORAGES" in setup.storage_settings and not both:
        yield found("storages-ignored")


_FIELD = re.compile(r"\{(\w+)\}")


def _filled(text: str, fields: Mapping[str, str]) -> str:
    """``{where}`` filled in; other braces (a dict shown in a fix) stay as written."""
    return _FIELD.sub(lambda match: fields.get(match[1], match[0]), text)


def documented(text: str) -> str:
    """A reason or fix as the rulebook's list shows it: ``{where}`` becomes ``<where>``."""
    return _FIELD.sub(r"<\1>", text)


#: CONTRIBUTING.md holds the rulebook's list between these lines.
LIST_START, LIST_END = "<!-- rulebook: start -->", "<!-- rulebook: end -->"


def rulebook_list() -> str:
    """The rulebook as a Markdown table, for CONTRIBUTING.md."""
    rows = [
        "| Code | Mistake | Django lines | Found by | Why it matters | Fix |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for each in RULES:
        cells = (
            f"`{each.code}`", each.name, str(each.lines), ", ".join(sorted(each.found_by)),
            documented(each.reason), documented(each.fix),
        )  # fmt: skip
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows)


def with_current_list(text: str) -> str:
    """``text`` (CONTRIBUTING.md) with the list between its markers made current."""
    start, end = text.index(LIST_START) + len(LIST_START), text.index(LIST_END)
    return f"{text[:start]}\n{rulebook_list()}\n{text[end:]}"


if __name__ == "__main__":  # python -m docs_harness.rules CONTRIBUTING.md
    path = sys.argv[1]
    with open(path, encoding="utf-8") as file:
        current = with_current_list(file.read())
    with open(path, "w", encoding="utf-8") as file:
        file.write(current)
