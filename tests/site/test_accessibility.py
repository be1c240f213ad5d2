"""Every page of the published site, in the light and the dark scheme, checked by axe-core.

axe-core comes from npm (package-lock.json; nox -s test-site runs npm ci) and is injected
into each page as it is served. No rule is turned off: a violation that axe rates serious
or critical fails the test, and is fixed in the site's CSS, templates or scripts.
"""

from __future__ import annotations

import subprocess

import pytest

from .published import BRANCH, ROOT, Published
from .test_browser import DESKTOP, _pages_in_nav

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: Playwright's colour scheme, and the Material scheme mkdocs.yml's palette gives it.
SCHEMES = {"light": "default", "dark": "slate"}
BLOCKING = ("serious", "critical")
#: How many of a violation's elements a failure shows.
SHOWN_NODES = 3

#: Two frames: what Material mounts once it has laid the page out (code annotations) is
#: there. The version selector, added once versions.json is read, is waited for by name.
SETTLED = """() => new Promise(done =>
    requestAnimationFrame(() => requestAnimationFrame(() => done(true))))"""
RUN_AXE = """() => axe.run(document, {resultTypes: ['violations']})
    .then(results => results.violations)"""


def _record_pages(published: Published) -> list[str]:
    """The run-record pages of the version ``latest`` copies, as published."""
    listing = subprocess.run(
        ["git", "--git-dir", str(published.remote), "ls-tree", "-r", "--name-only", BRANCH,
         "latest/records/"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return sorted(
        name.removeprefix("latest/").removesuffix("index.html")
        for name in listing.split()
        if name.endswith("/index.html")
    )


def _axe_installed() -> str:
    if not AXE.is_file():
        pytest.fail(f"No {AXE.relative_to(ROOT)}: run npm ci (nox -s test-site does)")
    return str(AXE)


def _violations(page) -> list[dict]:
    page.add_script_tag(path=_axe_installed())
    return page.evaluate(RUN_AXE)


def _describe(where: str, violation: dict) -> str:
    nodes = violation["nodes"]
    lines = [
        f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"
        f" [{len(nodes)} elements]"
    ]
    for node in nodes[:SHOWN_NODES]:
        summary = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    if len(nodes) > SHOWN_NODES:
        lines.append(f"    ... and {len(nodes) - SHOWN_NODES} more")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_no_serious_accessibility_violation_on_any_page(chromium, site, published, scheme):
    context = chromium.new_context(viewport=DESKTOP, color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(10_000)
    found = []
    try:
        records = _record_pages(published)
        assert records, "the published version has no run-record pages"
        for path in [*_pages_in_nav(), *records]:
            page.goto(f"{site.url}latest/{path}")
            page.locator(".md-version__current").wait_for()
            page.evaluate(SETTLED)
            shown = page.evaluate("() => document.body.getAttribute('data-md-color-scheme')")
            assert shown == SCHEMES[scheme], f"/latest/{path} in {scheme}: {shown} scheme"
            found += [
                _describe(f"/latest/{path} ({scheme})", violation)
                for violation in _violations(page)
                if violation["impact"] in BLOCKING
            ]
    finally:
        context.close()
    if found:
        print("\n".join(found))
    assert not found, f"{len(found)} serious or critical violations:\n" + "\n".join(found)


def test_axe_reports_text_with_too_little_contrast(chromium, site):
    """The check can fail: grey text on white (2.8:1) added to a served page is caught."""
    context = chromium.new_context(viewport=DESKTOP, color_scheme="light")
    page = context.new_page()
    try:
        page.goto(f"{site.url}latest/")
        page.evaluate(
            """() => document.querySelector('.md-content article').insertAdjacentHTML(
                'beforeend',
                '<p id="low-contrast" style="color:#999;background:#fff">Hard to read</p>')"""
        )
        violations = {violation["id"]: violation for violation in _violations(page)}
    finally:
        context.close()
    contrast = violations.get("color-contrast")
    assert contrast, sorted(violations)
    assert contrast["impact"] == "serious"
    assert ["#low-contrast"] in [node["target"] for node in contrast["nodes"]]
