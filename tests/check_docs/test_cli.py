"""check-docs' own command: one line per block, the harness's report, the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import django

from docs_harness.check_docs.cli import main

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_broken_page_prints_reason_and_fix_writes_the_report_and_fails(tmp_path, capsys):
    page = FIXTURES / "mistakes" / "pasted-whole.md"
    report = tmp_path / "report.json"
    assert main([str(page), "--report", str(report)]) == 1
    printed = capsys.readouterr().out
    assert (
        f"{page.as_posix()}:3: broken: WN301 The MIDDLEWARE shown replaces the whole list"
        in printed
    )
    assert "    fix: Keep the entries you already have" in printed
    data = json.loads(report.read_text())
    assert data["django"] == django.get_version()
    assert [(b["line"], b["status"], b["checks"]) for b in data["blocks"]] == [
        (3, "failed", ["WN301"])
    ]


def test_a_folder_is_read_whole_and_a_missing_path_is_named(capsys):
    assert main([str(FIXTURES / "mistakes")]) == 1
    assert "static-helper.md:11: broken" in capsys.readouterr().out
    assert main([str(FIXTURES / "no-such-page.md")]) == 2
    assert "no-such-page.md: no such file or folder" in capsys.readouterr().err
