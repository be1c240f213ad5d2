"""The published site in Debian's Chromium: what a reader clicks, reads and copies."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from docs_harness.fences import parse_blocks

from .published import EDIT_URI, ROOT

TUTORIAL = "tutorial/deploy-with-whitenoise/"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(chromium, site):
    """A fresh page that records console errors and every request's host."""
    context = chromium.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url.rstrip("/"))
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.errors, tab.requested = [], []
    tab.on("console", lambda m: m.type == "error" and tab.errors.append(m.text))
    tab.on("pageerror", lambda exc: tab.errors.append(str(exc)))
    tab.on("request", lambda request: tab.requested.append(request.url))
    yield tab
    context.close()


def _pages_in_nav() -> list[str]:
    """Every page's URL path, from the Markdown files the nav lists."""
    docs = ROOT / "docs"
    paths = []
    for source in sorted(docs.rglob("*.md")):
        relative = source.relative_to(docs).with_suffix("").as_posix()
        if relative == "index" or relative.endswith("/index"):
            paths.append(relative[: -len("index")])
        else:
            paths.append(relative + "/")
    return paths


def test_the_version_selector_lists_every_line_and_keeps_the_page(page, site, published):
    page.goto(f"{site.url}latest/{TUTORIAL}")
    page.locator(".md-version").hover()
    listed = page.evaluate(
        """() => [...document.querySelectorAll('.md-version__list .md-version__link')]
            .map(link => [link.firstChild.textContent.trim(),
                          [...link.querySelectorAll('.md-version__alias')].map(a => a.innerText)])"""
    )
    assert listed == [
        [f"Django {line}", ["latest"] if line == published.latest else []]
        for line in reversed(published.lines)
    ]
    page.get_by_role("link", name=re.compile(r"^Django 4\.1")).click()
    page.wait_for_url(f"{site.url}4.1/{TUTORIAL}")
    assert page.locator(".tabbed-labels").first.locator("label").first.inner_text() == (
        "Django 3.2 to 4.1"
    )


def test_a_tab_choice_follows_the_reader_to_other_pages(page, site):
    page.goto(f"{site.url}latest/how-to/compress-and-cache/")
    page.locator(".tabbed-labels label", has_text="Django 3.2 to 4.1").first.click()
    page.goto(f"{site.url}latest/how-to/brotli/")
    page.wait_for_load_state("networkidle")
    chosen = page.evaluate(
        """() => [...document.querySelectorAll('.tabbed-set')].map(set => {
            const input = set.querySelector(':scope > input:checked');
            return set.querySelector(`label[for="${input.id}"]`).innerText.trim();
        })"""
    )
    assert chosen and set(chosen) == {"Django 3.2 to 4.1"}, chosen


def test_the_copy_button_copies_exactly_the_blocks_text(page, site):
    page.goto(f"{site.url}latest/how-to/serve-with-whitenoise/")
    source = ROOT / "docs" / "how-to" / "serve-with-whitenoise.md"
    first = parse_blocks(source, source.read_text())[0]
    page.locator(".md-content .highlight").first.hover()
    page.locator(".md-content [data-md-type=copy]").first.click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.rstrip("\n") == first.source.rstrip("\n")


@pytest.mark.parametrize("term", ["STORAGES", "runserver_nostatic"])
def test_search_finds(page, site, term):
    page.goto(f"{site.url}latest/")
    search = page.locator(".md-search__input")
    search.click()
    # Typed key by key, as a reader does: the search listens to key events.
    search.press_sequentially(term, delay=20)
    results = page.locator(".md-search-result__item")
    expect(results.first).to_contain_text(term, timeout=15_000)


def test_pages_make_no_console_errors_and_no_requests_off_the_machine(page, site, published):
    visited = [f"{site.url}latest/{path}" for path in _pages_in_nav()]
    visited += [f"{site.url}{line}/" for line in published.lines]
    for url in visited:
        page.goto(url)
        page.wait_for_load_state("networkidle")
    assert not page.errors, page.errors
    hosts = {urlsplit(url).hostname for url in page.requested if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts


def test_every_page_links_to_its_source_for_editing(page, site):
    for path in ("", TUTORIAL, "reference/settings/"):
        page.goto(f"{site.url}latest/{path}")
        href = page.locator("a[rel=edit]").get_attribute("href")
        source = {"": "index.md"}.get(path, path.rstrip("/") + ".md")
        assert href == EDIT_URI + source


def test_every_code_block_shown_has_a_badge_for_the_version_it_is_in(page, site, published):
    for line in published.lines:
        for path in (TUTORIAL, "how-to/upgrade-to-storages/", "reference/settings/"):
            page.goto(f"{site.url}{line}/{path}")
            badges = page.evaluate(
                """() => [...document.querySelectorAll('.md-content div.highlight')]
                    .map(block => {
                        const before = block.previousElementSibling;
                        const badge = before && before.querySelector('a.block-badge');
                        return badge ? (badge.title || badge.innerText) : null;
                    })"""
            )
            assert badges, f"{line}/{path}: no code blocks"
            missing = [i for i, badge in enumerate(badges) if badge is None]
            assert not missing, f"{line}/{path}: blocks {missing} have no badge"
            passed = [b for b in badges if b.startswith("Passed on")]
            assert all(re.search(rf"\b{re.escape(line)}\.\d+", b) for b in passed), (line, passed)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_screenshots_fit_the_screen(chromium, site, screenshots: Path, width):
    viewport = DESKTOP if width == "desktop" else PHONE
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    try:
        for name, path in (
            ("home", ""),
            ("tutorial", TUTORIAL),
            ("compatibility", "compatibility/"),
        ):
            page.goto(f"{site.url}latest/{path}")
            page.wait_for_load_state("networkidle")
            shot = screenshots / f"{name}-{width}.png"
            page.screenshot(path=shot, full_page=True)
            assert shot.stat().st_size > 10_000
            overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than a {width} screen"
            drawer = page.locator("label.md-header__button[for='__drawer']")
            assert drawer.is_visible() == (width == "phone")
    finally:
        context.close()
