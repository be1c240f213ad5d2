"""Where one line's run went: seconds per page and what it started, for ``nox -s bench``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol


class TimedPage(Protocol):
    path: Path
    seconds: float | None
    reused: bool


def write_profile(
    path: Path, pages: Sequence[TimedPage], started: Counter[str], seconds: dict[str, float]
) -> None:
    profile: dict[str, Any] = {
        "pages": [
            {"page": page.path.as_posix(), "seconds": page.seconds, "reused": page.reused}
            for page in pages
        ],
        "started": dict(sorted(started.items())),
        "seconds": {kind: round(spent, 1) for kind, spent in sorted(seconds.items())},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(profile, indent=2) + "\n")
