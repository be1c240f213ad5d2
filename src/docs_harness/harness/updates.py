"""Write real output into pages where what they show no longer matches
(``--update-examples``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from ..verdicts import OutputUpdate


def apply_updates(root: Path, updates: Iterable[OutputUpdate]) -> list[str]:
    """Rewrite each page once, from its last update up, indented like its fence.
    Returns one line per rewritten block of output, for the terminal."""
    by_page: dict[str, list[OutputUpdate]] = defaultdict(list)
    for update in updates:
        by_page[update.path].append(update)
    done = []
    for page, page_updates in sorted(by_page.items()):
        path = root / page
        lines = path.read_text(encoding="utf-8").split("\n")
        for update in sorted(set(page_updates), key=lambda u: u.first_line, reverse=True):
            indent = " " * update.indent
            new = [f"{indent}{text}" if text else "" for text in update.lines]
            lines[update.first_line - 1 : update.last_line] = new
            done.append(f"updated {page}:{update.first_line} ({len(new)} lines)")
        path.write_text("\n".join(lines), encoding="utf-8")
    return done
