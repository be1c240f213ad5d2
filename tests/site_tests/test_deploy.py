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
