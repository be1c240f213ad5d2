"""Hide the fence options only the harness reads, so the site renders the block.

pymdownx.superfences refuses a fence with options it does not know, so the options
``fences.FENCE_OPTIONS`` marks as the harness's own are removed from opening fences
before Markdown is rendered; ``title`` and the rendering options stay.
"""

from __future__ import annotations

import re

from ..fences import HARNESS_ONLY_OPTIONS

_OPENING_FENCE = re.compile(r"^(?P<lead> *(?:`{3,}|~{3,})\S*)(?P<options>[^\n`]*)$", re.M)
_HARNESS_OPTION = re.compile(rf'\s+(?:{"|".join(HARNESS_ONLY_OPTIONS)})="[^"]*"')


def hide_harness_options(markdown: str) -> str:
    return _OPENING_FENCE.sub(_strip, markdown)


def _strip(match: re.Match[str]) -> str:
    return match["lead"] + _HARNESS_OPTION.sub("", match["options"])
