"""CONTRIBUTING.md states what the code states: the rulebook and the fence options."""

from __future__ import annotations

import re
from pathlib import Path

from docs_harness.fences import FENCE_OPTIONS
from docs_harness.rules import with_current_list

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_contributing_lists_the_rulebook_as_it_stands():
    assert with_current_list(TEXT) == TEXT, (
        "CONTRIBUTING.md's list of mistakes is out of date; "
        "run: python -m docs_harness.rules CONTRIBUTING.md"
    )


def test_contributing_explains_every_fence_option_and_no_other():
    section = TEXT[TEXT.index("## Fence options") : TEXT.index("## Django versions")]
    listed = set(re.findall(r"^\| ((?:`\w+`(?:, )?)+) \|", section, re.M))
    named = {name for cell in listed for name in re.findall(r"`(\w+)`", cell)}
    assert named == set(FENCE_OPTIONS)
