"""What the pages claim WhiteNoise does, as checks on facts and HTTP responses.

Each check returns a ``CheckResult``. ``blame`` names the setting whose block is at
fault (the scenario maps it to the block that last changed that setting); ``None``
blames the block that triggered the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from .fetch import Response
from .versions import Line

WHITENOISE_MIDDLEWARE = "whitenoise.middleware.WhiteNoiseMiddleware"
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
RUNSERVER_NOSTATIC = "whitenoise.runserver_nostatic"
STATICFILES_APP = "django.contrib.staticfiles"
FOREVER = "max-age=315360000, public, immutable"
#: The example app's files, relative to STATIC_ROOT / STATIC_URL.
EXAMPLE_CSS = "static_demo/site.css"
EXAMPLE_FILES = (
    EXAMPLE_CSS,
    "static_demo/app.js",
    "static_demo/img/logo.svg",
    "static_demo/fonts/demo.woff",
)
#: Headers SecurityMiddleware adds to every response it sees (Django 3.2+ defaults).
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
_WHITENOISE_ETAG = re.compile(r'^"(?P<mtime>[0-9a-f]+)-(?P<size>[0-9a-f]+)"$')
_STORAGE_SETTINGS = ("STORAGES", "STATICFILES_STORAGE")
#: Settings a system check message may name; the block that changed one is blamed.
_NAMED_SETTINGS = (
    "MIDDLEWARE", "INSTALLED_APPS", "TEMPLATES", "STATICFILES_DIRS", "STATIC_ROOT",
    "STATIC_URL", "STORAGES", "STATICFILES_STORAGE", "ALLOWED_HOSTS", "DATABASES",
)  # fmt: skip

Get = Callable[..., Response]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    expected: str = ""
    got: str = ""
    blame: str | tuple[str, ...] | None = None
    hint: str = ""


def _result(name, ok, expected="", got="", blame=None, hint=""):
    return CheckResult(name, bool(ok), expected, got if not ok else "", blame, hint)


# --- configuration, from the facts the project reports about itself ---------------


def configuration_checks(facts: Mapping, line: Line) -> list[CheckResult]:
    """Every check runs and is reported, passed or not, so the report shows what was checked."""
    middleware_errors = "\n".join(f"{p}: {e}" for p, e in facts["middleware_errors"].items())
    return [
        _result(
            "django-check",
            facts["check_passed"],
            "manage.py check reports no errors",
            facts["check_output"],
            blame=tuple(name for name in _NAMED_SETTINGS if name in facts["check_output"]) or None,
        ),
        *_ineffective_settings(facts, line),
        _result(
            "default-storage",
            not facts["default_storage_error"],
            "default file storage works",
            facts["default_storage_error"],
            blame="STORAGES",
            hint='STORAGES replaces Django\'s whole default, so keep a "default" entry '
            'beside "staticfiles".',
        ),
        _result(
            "middleware-importable",
            not middleware_errors,
            "every MIDDLEWARE entry can be imported",
            middleware_errors,
            blame="MIDDLEWARE",
            hint="Check the dotted path for typos.",
        ),
        _result(
            "staticfiles-storage-importable",
            not facts["staticfiles_storage_error"],
            "the staticfiles storage backend can be imported",
            facts["staticfiles_storage_error"],
            blame=_STORAGE_SETTINGS,
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
            _result(
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
        _result(
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
            _result(
                "whitenoise-storage-needs-middleware",
                False,
                f"{WHITENOISE_MIDDLEWARE} in MIDDLEWARE",
                f"{facts['staticfiles_storage']} is set, but MIDDLEWARE has no WhiteNoise",
                blame=_STORAGE_SETTINGS,
                hint="WhiteNoise's storage only prepares the files; with DEBUG=False nothing "
                "serves them until WhiteNoiseMiddleware is in MIDDLEWARE.",
            )
        ]
    position = middleware.index(WHITENOISE_MIDDLEWARE)
    wanted = middleware.index(SECURITY_MIDDLEWARE) + 1 if SECURITY_MIDDLEWARE in middleware else 0
    return [
        _result(
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
        return _result("collected-files", False, "STATIC_ROOT is set", "STATIC_ROOT is not set")
    expected = list(EXAMPLE_FILES)
    for prefix, folder in extra_dirs:
        expected += [
            "/".join(filter(None, [prefix, path.relative_to(folder).as_posix()]))
            for path in (folder.rglob("*") if folder.is_dir() else [])
            if path.is_file() and not _ignored_by_collectstatic(path.relative_to(folder))
        ]
    missing = [name for name in expected if not (static_root / name).is_file()]
    return _result(
        "collected-files",
        not missing,
        f"{len(expected)} files collected into {static_root}",
        f"missing: {missing}",
    )


def _ignored_by_collectstatic(relative: Path) -> bool:
    """collectstatic's default ignore patterns: CVS, .*, *~."""
    return any(
        part == "CVS" or part.startswith(".") or part.endswith("~") for part in relative.parts
    )


# --- HTTP, against a real server ----------------------------------------------------


def page_static_url(get: Get, name: str = EXAMPLE_CSS) -> tuple[CheckResult, str | None]:
    """Load the example page and find the URL its {% static %} tag rendered."""
    page = get("/")
    found = re.search(
        rf'["\'](?P<url>[^"\']*{_stem_pattern(name)})["\']', page.body.decode(errors="replace")
    )
    ok = page.status == 200 and found is not None
    check = _result(
        "example-page",
        ok,
        f"GET / answers 200 with a link to {name}",
        f"{page.describe()}\n{page.body[:300]!r}",
    )
    return check, found.group("url") if found else None


def _stem_pattern(name: str) -> str:
    stem, _, suffix = name.rpartition(".")
    return rf"{re.escape(stem)}(?:\.[0-9a-f]{{12}})?\.{re.escape(suffix)}"


def served_by_whitenoise(response: Response, url: str) -> CheckResult:
    """WhiteNoise's ETag is "<mtime hex>-<size hex>"; Django's static view sends none."""
    etag = _WHITENOISE_ETAG.match(response.header("etag") or "")
    ok = response.status == 200 and etag is not None and int(etag["size"], 16) == len(response.body)
    who = "a 404" if response.status == 404 else "Django's static view or another handler"
    return _result(
        "served-by-whitenoise",
        ok,
        f'GET {url} answered by WhiteNoise (200, ETag "mtime-size")',
        f"{who}: {response.describe()}",
        blame="MIDDLEWARE",
    )


def security_headers(response: Response, url: str) -> CheckResult:
    missing = {k: v for k, v in SECURITY_HEADERS.items() if response.header(k) != v}
    return _result(
        "security-headers",
        not missing,
        f"SecurityMiddleware's headers on {url}: {SECURITY_HEADERS}",
        f"missing or different: {sorted(missing)}; {response.describe()}",
        blame="MIDDLEWARE",
        hint="WhiteNoiseMiddleware must sit below SecurityMiddleware.",
    )


def production_http_checks(get: Get, facts: Mapping, static_url: str) -> list[CheckResult]:
    page, css_url = page_static_url(get)
    if css_url is None:
        return [page]
    results = [page]
    unhashed = static_url + EXAMPLE_CSS
    response = get(css_url)
    results += [served_by_whitenoise(response, css_url), security_headers(response, css_url)]
    if facts.get("manifest"):
        results += _hashing_checks(get, css_url, unhashed, facts)
    if facts.get("compressed"):
        results += _compression_checks(get, css_url, bool(facts.get("brotli")))
    results.append(_not_modified(get, css_url, response))
    return results


def _hashing_checks(get: Get, css_url: str, unhashed: str, facts: Mapping) -> list[CheckResult]:
    hashed = re.search(r"\.[0-9a-f]{12}\.css$", css_url) is not None
    results = [
        _result(
            "hashed-url",
            hashed,
            f"{{% static %}} renders a hashed name, not {unhashed}",
            css_url,
            blame=_STORAGE_SETTINGS,
        )
    ]
    if not hashed:
        return results
    forever = get(css_url).header("cache-control")
    results.append(
        _result(
            "hashed-cached-forever",
            forever == FOREVER,
            f"Cache-Control: {FOREVER} on {css_url}",
            f"Cache-Control: {forever}",
            blame=_STORAGE_SETTINGS,
        )
    )
    max_age = facts["whitenoise_max_age"] if facts["overridden"]["WHITENOISE_MAX_AGE"] else 60
    short = f"max-age={max_age}, public"
    unhashed_response = get(unhashed)
    results.append(
        _result(
            "unhashed-cached-briefly",
            unhashed_response.header("cache-control") == short,
            f"Cache-Control: {short} on {unhashed}",
            unhashed_response.describe(),
            blame=_STORAGE_SETTINGS,
        )
    )
    body = get(css_url).body.decode(errors="replace")
    references = re.findall(r"url\([\"']?([^\"')]+)", body)
    base = css_url.rsplit("/", 1)[0] + "/"
    bad = [
        ref
        for ref in references
        if not re.search(r"\.[0-9a-f]{12}\.\w+$", ref) or get(base + ref).status != 200
    ]
    results.append(
        _result(
            "css-references-hashed",
            references and not bad,
            "url() references in the CSS point at hashed files that answer 200",
            f"references: {references}; failing: {bad}",
            blame=_STORAGE_SETTINGS,
        )
    )
    return results


def _compression_checks(get: Get, url: str, brotli: bool) -> list[CheckResult]:
    encodings = ["gzip", "br"] if brotli else ["gzip"]
    results = []
    for encoding in encodings:
        response = get(url, headers={"Accept-Encoding": encoding})
        ok = (
            response.header("content-encoding") == encoding
            and "accept-encoding" in (response.header("vary") or "").lower()
        )
        results.append(
            _result(
                f"compressed-{encoding}",
                ok,
                f"Accept-Encoding: {encoding} gets Content-Encoding: {encoding} and Vary: Accept-Encoding",
                response.describe(),
                blame=_STORAGE_SETTINGS,
            )
        )
    return results


def _not_modified(get: Get, url: str, first: Response) -> CheckResult:
    etag = first.header("etag")
    again = get(url, headers={"If-None-Match": etag or '"none"'})
    return _result(
        "etag-304",
        etag and again.status == 304,
        f"If-None-Match: {etag} answers 304",
        again.describe(),
        blame="MIDDLEWARE",
    )


def development_http_checks(get: Get, uses_whitenoise: bool) -> list[CheckResult]:
    page, css_url = page_static_url(get)
    if css_url is None:
        return [page]
    response = get(css_url)
    if not uses_whitenoise:
        return [
            page,
            _result(
                "static-served",
                response.status == 200,
                f"GET {css_url} answers 200",
                response.describe(),
            ),
        ]
    # In development the server command is what decides who serves static files.
    served = replace(
        served_by_whitenoise(response, css_url),
        blame=None,
        hint="Start runserver with --nostatic, or list whitenoise.runserver_nostatic "
        "above django.contrib.staticfiles in INSTALLED_APPS.",
    )
    return [page, served]
