"""The summary a run prints: the counts on one line, each skip below it."""

from __future__ import annotations

from pathlib import Path

from docs_harness.fences import parse_blocks
from docs_harness.report import summary_lines
from docs_harness.verdicts import BlockVerdict, Environment, Reuse, Status

PAGE = "# Page\n\n" + "".join(f"```bash\necho {n}\n```\n\n" for n in range(5))


def test_the_counts_fit_one_line_and_each_skip_has_its_own():
    blocks = parse_blocks(Path("docs/page.md"), PAGE)
    verdicts = [
        BlockVerdict(blocks[0]),
        BlockVerdict(blocks[1], reused=Reuse("key", "2026-11-30T10:00:00+00:00")),
        BlockVerdict(blocks[2], Status.SKIPPED, "a message on its own"),
        BlockVerdict(blocks[3], Status.NOT_APPLICABLE, "Django 4.2+ only"),
        BlockVerdict(blocks[4], Status.FAILED, "broken"),
    ]

    counts, *skips = summary_lines(Environment("5.2.8", "6.9.0", "3.13.0"), verdicts)

    assert counts == (
        "Django 5.2.8: 3 executed, 1 skipped, 1 not applicable, 1 failed "
        "(1 reused from runs of 2026-11-30T10:00 to 2026-11-30T10:00)"
    )
    assert skips == [f"  skipped docs/page.md:{blocks[2].line}: a message on its own"]
