"""The deploy path: every version pushed to a bare remote, as GitHub Pages would get it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

TUTORIAL = "tutorial/deploy-with-whitenoise/index.html"


def test_versions_json_names_every_line_newest_first_with_latest_on_the_newest(published):
    versions = json.loads(published.remote_file("versions.json"))
    assert [v["version"] for v in versions] == list(reversed(published.lines))
    assert [v["title"] for v in versions] == [
        f"Django {line}" for line in reversed(published.lines)
    ]
    aliases = {v["version"]: v["aliases"] for v in versions}
    assert aliases.pop(published.latest) == ["latest"]
    assert all(not names for names in aliases.values()), aliases


def test_the_default_redirects_to_latest_and_latest_is_the_newest_line(published):
    assert re.search(rb'url=["\']?latest/', published.remote_file("index.html"))
    assert published.remote_file(f"latest/{TUTORIAL}") == published.remote_file(
        f"{published.latest}/{TUTORIAL}"
    )


def test_each_version_has_its_pages_with_its_own_tab_first(published):
    for line in published.lines:
        page = published.remote_file(f"{line}/{TUTORIAL}").decode()
        labels = re.findall(r'<label for="__tabbed_1_\d+">([^<]*)</label>', page)
        assert labels, f"{line}: no content tabs on the tutorial"
        first = "Django 4.2+" if tuple(map(int, line.split("."))) >= (4, 2) else "Django 3.2 to 4.1"
        assert labels[0] == first, f"{line}: tabs in the order {labels}"
        assert published.remote_entry_type(f"{line}/compatibility/index.html") == "blob"


def test_publishing_refuses_without_a_report_for_every_line(published, tmp_path):
    partial = tmp_path / "reports"
    partial.mkdir()
    first = published.lines[0]
    report = Path(published.env["DOCS_REPORTS"]) / f"django-{first}.json"
    (partial / report.name).write_bytes(report.read_bytes())
    result = subprocess.run(
        [sys.executable, "tools/publish_versions.py", "--lines", *published.lines,
         "--reports", str(partial), "--branch", "never-built"],
        cwd=published.checkout, capture_output=True, text=True, env=published.env,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    missing = published.lines[1]
    assert f'Django {missing}: no report; run nox -s "test-examples({missing})"' in result.stderr
    branches = subprocess.run(
        ["git", "branch", "--list", "never-built"], cwd=published.checkout,
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert not branches.strip(), "a version was built although a report was missing"


_CODE_BLOCK = re.compile(r'<div class="(?:language-\S+ )?highlight">')
_BADGE_BEFORE = re.compile(
    r'<p><a class="block-badge( block-badge--not-run)?" href="[^"]*"(?: title="([^"]*)")?>'
    r"[^<]*</a></p>\s*(?:<div[^>]*>\s*)*$"
)


def test_every_code_block_of_every_version_has_a_badge_for_that_version(published):
    pages = subprocess.run(
        ["git", "--git-dir", str(published.remote), "ls-tree", "-r", "--name-only", "gh-pages"],
        check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    for line in published.lines:
        # Run-record pages show what a run printed; their blocks are evidence, not examples.
        html_pages = [
            p
            for p in pages
            if p.startswith(f"{line}/")
            and p.endswith("index.html")
            and not p.startswith(f"{line}/records/")
        ]
        assert len(html_pages) > 20, f"{line}: only {len(html_pages)} pages"
        blocks = 0
        for path in html_pages:
            html = published.remote_file(path).decode()
            for match in _CODE_BLOCK.finditer(html):
                blocks += 1
                badge = _BADGE_BEFORE.search(html[max(0, match.start() - 2000) : match.start()])
                assert badge, f"{path}: a code block without a badge at offset {match.start()}"
                not_run, title = badge.groups()
                assert not_run or re.search(rf"\b{re.escape(line)}\.\d+", title), (path, title)
        assert blocks > 100, f"{line}: only {blocks} code blocks"


def test_a_second_deploy_from_a_fresh_clone_builds_on_the_published_branch(published, tmp_path):
    def published_head() -> str:
        return subprocess.run(
            ["git", "--git-dir", str(published.remote), "rev-parse", "gh-pages"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    before = published_head()
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(published.checkout), str(clone)], check=True)
    page = clone / "docs" / "compatibility.md"
    page.write_text(page.read_text() + "\nPublished twice.\n")
    for argv in (
        ["git", "commit", "--quiet", "--all", "-m", "A second change"],
        ["git", "remote", "set-url", "origin", str(published.remote)],
        [sys.executable, "tools/publish_versions.py", "--lines", *published.lines, "--push"],
    ):
        result = subprocess.run(argv, cwd=clone, env=published.env, capture_output=True, text=True)
        assert result.returncode == 0, f"{argv}: {result.stdout}{result.stderr}"
    after = published_head()
    ancestry = ["git", "--git-dir", str(published.remote), "merge-base", "--is-ancestor"]
    assert after != before
    assert subprocess.run([*ancestry, before, after]).returncode == 0, "the branch was replaced"
    versions = json.loads(published.remote_file("versions.json"))
    assert [v["version"] for v in versions] == list(reversed(published.lines))
    for line in (published.lines[0], "latest"):
        assert b"Published twice." in published.remote_file(f"{line}/compatibility/index.html")
