"""Run records on the published site: a badge opens the run behind it, which shows what
ran, what came back and how to run it again; a reused verdict names its first run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from docs_harness.fences import Block, parse_blocks
from docs_harness.site.record_pages import repeat_command

from .conftest import REPORTS
from .published import BRANCH, ROOT, free_port

PAGE = "how-to/brotli"
#: The line whose version is opened: it runs WhiteNoise 6.7.0, the pin a reader may doubt.
LINE = "4.1"
#: Bytes one published version may take, records included (measured: see the note on
#: the largest version in the test's failure message).
VERSION_BUDGET = 12 * 1024 * 1024


def _curl_for_brotli() -> Block:
    """The block that shows Brotli being served: the page talks about its header."""
    source = ROOT / "docs" / f"{PAGE}.md"
    blocks = parse_blocks(Path(f"docs/{PAGE}.md"), source.read_text())
    return next(b for b in blocks if "Accept-Encoding: br" in b.source and "curl" in b.source)


def _section_text(page, block: Block) -> str:
    """The text of the record's section for ``block``: its heading to the next one."""
    return page.evaluate(
        """(id) => {
            const heading = document.getElementById(id);
            let text = heading.innerText, node = heading.nextElementSibling;
            while (node && node.tagName !== 'H2') { text += '\\n' + node.innerText; node = node.nextElementSibling; }
            return text;
        }""",
        f"line-{block.line}",
    )


@pytest.fixture
def tab(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.requested = []
    page.on("request", lambda request: page.requested.append(request.url))
    yield page
    context.close()


def test_a_badge_opens_its_record_with_the_command_and_the_header_the_page_shows(
    tab, site, screenshots
):
    block = _curl_for_brotli()
    tab.goto(f"{site.url}{LINE}/{PAGE}/")
    badge = tab.locator(f'a.block-badge[href$="#line-{block.line}"]')
    assert badge.count() == 1, f"no badge links to the record of {block.location}"
    badge.click()
    tab.wait_for_url(f"{site.url}{LINE}/records/{PAGE}/#line-{block.line}")
    tab.wait_for_load_state("networkidle")

    section = _section_text(tab, block)
    assert f"Line {block.line}" in section and "passed" in section
    assert "curl --no-progress-meter -I -H 'Accept-Encoding: br' http://127.0.0.1:" in section
    assert "Content-Encoding: br" in section  # the header the page talks about, as served
    assert "WhiteNoise | 6.7.0" in tab.inner_text("article").replace("\t", " | ")
    command = tab.locator(".md-content pre", has_text="test-examples").first.inner_text()
    assert command.strip() == repeat_command(LINE, f"docs/{PAGE}.md")
    hosts = {urlsplit(url).hostname for url in tab.requested if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
    tab.screenshot(path=screenshots / f"record-{LINE}-brotli.png", full_page=False)


def test_a_reused_record_names_the_run_it_came_from(tab, published, tmp_path):
    """One version built from a real run's records in which the block's verdict was
    reused, as the result store reuses it: the record says from which run."""
    line, block = published.latest, _curl_for_brotli()
    reports = tmp_path / "reports"
    reports.mkdir()
    for name in (f"django-{line}.json", f"records-django-{line}.json"):
        shutil.copy(REPORTS / name, reports / name)
    records_file = reports / f"records-django-{line}.json"
    records = json.loads(records_file.read_text())
    earlier = {"key": "5e" * 32, "finished": "2026-11-30T08:15:42+00:00"}
    (entry,) = [
        b
        for b in records["blocks"]
        if (b["file"], b["line"]) == (block.path.as_posix(), block.line)
    ]
    entry.update(reused=earlier, ran=earlier["finished"])
    records_file.write_text(json.dumps(records))

    site_dir = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=published.checkout, capture_output=True, text=True,
        env={**published.env, "DOCS_DJANGO_LINE": line, "DOCS_REPORTS": str(reports),
             "DOCS_DJANGO_LINES": line},
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/records/{PAGE}/"
        for _ in range(100):
            try:
                tab.goto(url)
                break
            except Exception:
                tab.wait_for_timeout(100)
        section = _section_text(tab, block)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "Reused verdict" in section
    assert "comes from the run of 2026-11-30 08:15 UTC" in section
    assert "5e5e5e5e" in section
    assert "Run on 2026-11-30 08:15 UTC" in section


def test_one_published_version_with_its_records_stays_within_budget(published):
    sizes = {}
    for line in published.lines:
        listing = subprocess.run(
            ["git", "--git-dir", str(published.remote), "ls-tree", "-r", "-l", BRANCH, f"{line}/"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        sizes[line] = sum(int(row.split()[3]) for row in listing.splitlines())
        records = [row for row in listing.splitlines() if f"\t{line}/records/" in row]
        assert records, f"version {line} has no record pages"
    largest = max(sizes, key=sizes.get)
    summary = ", ".join(f"{line}: {size / 2**20:.1f} MiB" for line, size in sizes.items())
    print(f"published versions: {summary}")
    assert sizes[largest] <= VERSION_BUDGET, (
        f"version {largest} takes {sizes[largest] / 2**20:.1f} MiB, over the "
        f"{VERSION_BUDGET / 2**20:.0f} MiB budget ({summary})"
    )
