"""What the pages claim WhiteNoise does over HTTP, as checks on real responses.

``get(path, headers=...)`` is a request to a running server; see ``fetch.request``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..rules import STORAGE_SETTINGS
from .checks import CheckResult, outcome
from .fetch import Response
from .project import Facts

FOREVER = "max-age=315360000, public, immutable"
#: The example page's stylesheet, relative to STATIC_URL.
EXAMPLE_CSS = "static_demo/site.css"
#: Headers SecurityMiddleware adds to every response it sees (Django 3.2+ defaults).
SECURITY_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "same-origin"}
_WHITENOISE_ETAG = re.compile(r'^"(?P<mtime>[0-9a-f]+)-(?P<size>[0-9a-f]+)"$')

Get = Callable[..., Response]


def page_static_url(
    get: Get, name: str = EXAMPLE_CSS, page_path: str = "/"
) -> tuple[CheckResult, str | None]:
    """Load the example page and find the URL its {% static %} tag rendered. An absolute
    URL (a CDN in STATIC_URL) is requested by its path: this server is the CDN's origin."""
    page = get(page_path)
    found = re.search(
        rf'["\'](?P<url>[^"\']*{_stem_pattern(name)})["\']', page.body.decode(errors="replace")
    )
    ok = page.status == 200 and found is not None
    check = outcome(
        "example-page",
        ok,
        f"GET {page_path} answers 200 with a link to {name}",
        f"{page.describe()}\n{page.body[:300]!r}",
    )
    return check, urlsplit(found.group("url")).path if found else None


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


def production_http_checks(
    get: Get, facts: Facts, static_url: str, project_root: Path, script_name: str = ""
) -> list[CheckResult]:
    page, css_url = page_static_url(get, page_path=f"{script_name}/")
    if css_url is None:
        return [page]
    results = [page]
    unhashed = static_url + EXAMPLE_CSS
    response = get(css_url)
    results += [served_by_whitenoise(response, css_url), security_headers(response, css_url)]
    if results[-2].ok is False:
        return results  # nothing else can be learnt from a file WhiteNoise does not serve
    config = facts.get("whitenoise_config") or {}
    if facts.get("manifest"):
        results += _hashing_checks(get, css_url, response, unhashed, config)
    if facts.get("compressed"):
        results += _compression_checks(get, css_url, bool(facts.get("brotli")))
    results.append(_not_modified(get, css_url, response))
    results += _method_checks(get, css_url, response)
    results += _no_way_out(
        get, static_url, css_url, project_root, bool(facts.get("compressed")), script_name
    )
    results += _settings_effects(get, response, css_url, facts, config, script_name)
    return results


def _hashing_checks(
    get: Get, css_url: str, response: Response, unhashed: str, config: Mapping
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
    unhashed_response = get(unhashed)
    if config.get("keep_only_hashed_files"):
        results.append(
            outcome(
                "keep-only-hashed-files",
                unhashed_response.status == 404,
                f"WHITENOISE_KEEP_ONLY_HASHED_FILES: {unhashed} answers 404",
                unhashed_response.describe(),
                blame="WHITENOISE_KEEP_ONLY_HASHED_FILES",
            )
        )
    else:
        short = _cache_control(config.get("max_age", 60))
        results.append(
            outcome(
                "unhashed-cached-briefly",
                unhashed_response.header("cache-control") == short,
                f"Cache-Control: {short} on {unhashed} (WHITENOISE_MAX_AGE)",
                unhashed_response.describe(),
                blame=(*STORAGE_SETTINGS, "WHITENOISE_MAX_AGE"),
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


def _cache_control(max_age: int | None) -> str | None:
    """What WhiteNoise sends for a file without a hashed name."""
    return None if max_age is None else f"max-age={max_age}, public"


def _method_checks(get: Get, url: str, full: Response) -> list[CheckResult]:
    head = get(url, method="HEAD")
    ranged = get(url, headers={"Range": "bytes=0-9"})
    others = {method: get(url, method=method) for method in ("POST", "PUT", "DELETE", "PATCH")}
    refused = {
        method: reply.describe()
        for method, reply in others.items()
        if reply.status != 405 or reply.header("allow") != "GET, HEAD"
    }
    size = len(full.body)
    return [
        outcome(
            "head",
            head.status == 200 and not head.body and head.header("content-length") == str(size),
            f"HEAD {url} answers 200, no body, Content-Length: {size}",
            f"{head.describe()} body={head.body[:40]!r}",
        ),
        outcome(
            "range",
            ranged.status == 206
            and ranged.header("content-range") == f"bytes 0-9/{size}"
            and ranged.body == full.body[:10],
            f"Range: bytes=0-9 answers 206 with Content-Range: bytes 0-9/{size} and 10 bytes",
            f"{ranged.describe()} body={ranged.body!r}",
        ),
        outcome(
            "other-methods-405",
            not refused,
            f"POST, PUT, DELETE and PATCH on {url} answer 405 with Allow: GET, HEAD",
            str(refused),
        ),
    ]


#: Requests that try to reach files outside STATIC_ROOT and WHITENOISE_ROOT.
#: {site} is the script name under FORCE_SCRIPT_NAME, else empty.
_ESCAPES = (
    "{static}../mysite/settings.py",
    "{static}%2e%2e/mysite/settings.py",
    "{static}..%2fmysite%2fsettings.py",
    "{static}%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "{static}../../../../../../etc/passwd",
    "{static}/etc/passwd",
    "{static}%2fetc%2fpasswd",
    "{static}{root}/mysite/settings.py",
    "{static}mysite/settings.py",
    "{site}/mysite/settings.py",
    "{site}/settings.py",
    "{site}/wsgi.py",
    "{site}/manage.py",
    "{site}/../mysite/settings.py",
    "{site}//etc/passwd",
)
#: Files no request may return, relative to the project.
_PRIVATE = ("manage.py", "mysite/settings.py", "mysite/wsgi.py")


def _no_way_out(
    get: Get,
    static_url: str,
    css_url: str,
    project_root: Path,
    compressed: bool,
    script_name: str = "",
) -> list[CheckResult]:
    """Nothing outside the served folders answers, and compressed copies are not URLs."""
    private = [(project_root / name).read_bytes() for name in _PRIVATE]
    passwd = Path("/etc/passwd")
    private += [passwd.read_bytes()] if passwd.is_file() else []
    leaked = []
    for template in _ESCAPES:
        path = template.format(
            static=static_url, root=str(project_root).lstrip("/"), site=script_name
        )
        reply = get(path)
        if reply.status == 200 and (reply.body in private or b"SECRET_KEY" in reply.body):
            leaked.append(f"{path} -> {reply.describe()}")
    results = [
        outcome(
            "no-path-traversal",
            not leaked,
            f"none of {len(_ESCAPES)} requests with .., encoded .. or absolute paths "
            "returns settings.py, wsgi.py, manage.py or /etc/passwd",
            "\n".join(leaked),
            blame="WHITENOISE_ROOT",
            hint="WHITENOISE_ROOT serves every file in its folder: give it a folder of "
            "public files only, never BASE_DIR.",
        )
    ]
    if compressed:
        served = [
            f"{css_url}{suffix} -> {reply.describe()}"
            for suffix in (".gz", ".br")
            if (reply := get(css_url + suffix)).status == 200
        ]
        results.append(
            outcome(
                "compressed-copies-not-urls",
                not served,
                f"{css_url}.gz and .br answer 404: compressed copies are served only "
                "through Accept-Encoding",
                "\n".join(served),
            )
        )
    return results


def _settings_effects(
    get: Get,
    response: Response,
    css_url: str,
    facts: Facts,
    config: Mapping,
    script_name: str = "",
) -> list[CheckResult]:
    """What each WHITENOISE_* setting promises, checked on real responses."""
    if not config or config.get("error"):
        return [
            outcome(
                "whitenoise-settings",
                False,
                "WhiteNoiseMiddleware starts with these settings",
                str(config.get("error")),
            )
        ]
    origin = response.header("access-control-allow-origin")
    content_type = response.header("content-type") or ""
    results = [
        outcome(
            "allow-all-origins",
            (origin == "*") == bool(config["allow_all_origins"]),
            "Access-Control-Allow-Origin: * "
            + ("present" if config["allow_all_origins"] else "absent")
            + " (WHITENOISE_ALLOW_ALL_ORIGINS)",
            f"Access-Control-Allow-Origin: {origin}",
            blame="WHITENOISE_ALLOW_ALL_ORIGINS",
        ),
        outcome(
            "charset",
            f'charset="{config["charset"]}"' in content_type,
            f'Content-Type of {css_url} ends in charset="{config["charset"]}" (WHITENOISE_CHARSET)',
            f"Content-Type: {content_type}",
            blame="WHITENOISE_CHARSET",
        ),
    ]
    if config["root"]:
        results += _root_files(get, Path(config["root"]), config, script_name)
    unlisted = facts.get("unlisted_static")
    if facts.get("manifest") and unlisted:
        strict = config["manifest_strict"] is not False
        ok = (
            f"Missing staticfiles manifest entry for '{unlisted['name']}'"
            in (unlisted["error"] or "")
            if strict
            else bool(unlisted["url"])
        )
        results.append(
            outcome(
                "manifest-strict",
                ok,
                f"{{% static '{unlisted['name']}' %}}, a file the manifest does not list, "
                + ("raises Missing staticfiles manifest entry" if strict else "gives a URL")
                + " (WHITENOISE_MANIFEST_STRICT)",
                str(unlisted),
                blame="WHITENOISE_MANIFEST_STRICT",
            )
        )
    return results


def _root_files(get: Get, root: Path, config: Mapping, script_name: str) -> list[CheckResult]:
    """Each file in WHITENOISE_ROOT answers at the site root; index files at their folder."""
    index = config["index_file"]
    problems, checked = [], 0
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".gz", ".br"))
    for path in files[:20]:
        relative = path.relative_to(root).as_posix()
        url = f"{script_name}/{relative}"
        if index and path.name == index:
            if "/" not in relative:
                continue  # / is the example page
            url = f"{script_name}/{relative[: -len(index)]}"
            moved = get(url.rstrip("/"))
            location = urljoin(url.rstrip("/"), moved.header("location") or "")
            if moved.status != 302 or location != url:
                problems.append(f"{url.rstrip('/')} -> {moved.describe()} (wanted 302 to {url})")
        reply = get(url)
        checked += 1
        cache = _cache_control(config["max_age"])
        if reply.status != 200 or reply.body != path.read_bytes():
            problems.append(f"{url} -> {reply.describe()} (wanted 200 with {relative})")
        elif cache and reply.header("cache-control") != cache:
            problems.append(
                f"{url} -> Cache-Control: {reply.header('cache-control')} (wanted {cache})"
            )
    return [
        outcome(
            "whitenoise-root",
            checked and not problems,
            f"each file in WHITENOISE_ROOT ({root}) answers at / + its path"
            + (f", with {index} at its folder's URL (WHITENOISE_INDEX_FILE)" if index else ""),
            "\n".join(problems) or "no file in WHITENOISE_ROOT",
            blame=("WHITENOISE_ROOT", "WHITENOISE_INDEX_FILE"),
        )
    ]


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
