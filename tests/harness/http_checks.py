"""What the pages claim WhiteNoise does over HTTP, as checks on real responses.

``get(path, headers=...)`` is a request to a running server; see ``fetch.request``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from .checks import STORAGE_SETTINGS, CheckResult, outcome
from .fetch import Response

FOREVER = "max-age=315360000, public, immutable"
#: The example page's stylesheet, relative to STATIC_URL.
EXAMPLE_CSS = "static_demo/site.css"
#: Headers SecurityMiddleware adds to every response it sees (Django 3.2+ defaults).
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
_WHITENOISE_ETAG = re.compile(r'^"(?P<mtime>[0-9a-f]+)-(?P<size>[0-9a-f]+)"$')

Get = Callable[..., Response]


def page_static_url(get: Get, name: str = EXAMPLE_CSS) -> tuple[CheckResult, str | None]:
    """Load the example page and find the URL its {% static %} tag rendered."""
    page = get("/")
    found = re.search(
        rf'["\'](?P<url>[^"\']*{_stem_pattern(name)})["\']', page.body.decode(errors="replace")
    )
    ok = page.status == 200 and found is not None
    check = outcome(
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
    return outcome(
        "served-by-whitenoise",
        ok,
        f'GET {url} answered by WhiteNoise (200, ETag "mtime-size")',
        f"{who}: {response.describe()}",
        blame="MIDDLEWARE",
    )


def security_headers(response: Response, url: str) -> CheckResult:
    missing = {k: v for k, v in SECURITY_HEADERS.items() if response.header(k) != v}
    return outcome(
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
        results += _hashing_checks(get, css_url, response, unhashed, facts)
    if facts.get("compressed"):
        results += _compression_checks(get, css_url, bool(facts.get("brotli")))
    results.append(_not_modified(get, css_url, response))
    return results


def _hashing_checks(
    get: Get, css_url: str, response: Response, unhashed: str, facts: Mapping
) -> list[CheckResult]:
    hashed = re.search(r"\.[0-9a-f]{12}\.css$", css_url) is not None
    results = [
        outcome(
            "hashed-url",
            hashed,
            f"{{% static %}} renders a hashed name, not {unhashed}",
            css_url,
            blame=STORAGE_SETTINGS,
        )
    ]
    if not hashed:
        return results
    forever = response.header("cache-control")
    results.append(
        outcome(
            "hashed-cached-forever",
            forever == FOREVER,
            f"Cache-Control: {FOREVER} on {css_url}",
            f"Cache-Control: {forever}",
            blame=STORAGE_SETTINGS,
        )
    )
    max_age = facts["whitenoise_max_age"] if facts["overridden"]["WHITENOISE_MAX_AGE"] else 60
    short = f"max-age={max_age}, public"
    unhashed_response = get(unhashed)
    results.append(
        outcome(
            "unhashed-cached-briefly",
            unhashed_response.header("cache-control") == short,
            f"Cache-Control: {short} on {unhashed}",
            unhashed_response.describe(),
            blame=STORAGE_SETTINGS,
        )
    )
    body = response.body.decode(errors="replace")
    references = re.findall(r"url\([\"']?([^\"')]+)", body)
    base = css_url.rsplit("/", 1)[0] + "/"
    bad = [
        ref
        for ref in references
        if not re.search(r"\.[0-9a-f]{12}\.\w+$", ref) or get(base + ref).status != 200
    ]
    results.append(
        outcome(
            "css-references-hashed",
            references and not bad,
            "url() references in the CSS point at hashed files that answer 200",
            f"references: {references}; failing: {bad}",
            blame=STORAGE_SETTINGS,
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
            outcome(
                f"compressed-{encoding}",
                ok,
                f"Accept-Encoding: {encoding} gets Content-Encoding: {encoding} and Vary: Accept-Encoding",
                response.describe(),
                blame=STORAGE_SETTINGS,
            )
        )
    return results


def _not_modified(get: Get, url: str, first: Response) -> CheckResult:
    etag = first.header("etag")
    again = get(url, headers={"If-None-Match": etag or '"none"'})
    return outcome(
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
            outcome(
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
