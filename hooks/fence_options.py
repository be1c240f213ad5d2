"""Hide the fence options only the test harness reads, so the site renders the block.

pymdownx.superfences refuses a fence with options it does not know, so
``django="4.2+"``, ``skip``, ``output``, ``error``, ``edit`` and ``fails``
(see CONTRIBUTING.md) are removed from opening
fences before Markdown is rendered. ``title`` stays: the site shows it.
"""

import re

HARNESS_ONLY_OPTIONS = ("django", "skip", "output", "error", "edit", "fails")
_OPENING_FENCE = re.compile(r"^(?P<lead> *(?:`{3,}|~{3,})\S*)(?P<options>[^\n`]*)$", re.M)
_HARNESS_OPTION = re.compile(rf'\s+(?:{"|".join(HARNESS_ONLY_OPTIONS)})="[^"]*"')


def on_page_markdown(markdown, **kwargs):
    return _OPENING_FENCE.sub(_strip, markdown)


def _strip(match):
    return match["lead"] + _HARNESS_OPTION.sub("", match["options"])
