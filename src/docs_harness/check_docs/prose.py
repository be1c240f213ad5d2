"""What a page tells its reader in sentences rather than code blocks.

Authors often say "add ``whitenoise`` to your requirements.txt" or put
``pip install whitenoise`` in a sentence; a reader follows that as surely as a block.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_INSTALL = re.compile(r"\binstall|requirements|\bpip\b|pyproject|pipfile|poetry add|uv add", re.I)
_WHITENOISE = re.compile(r"\bwhite\s?noise\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n")


def told_to_install(text: str) -> bool:
    """Whether a sentence outside the code blocks has the reader install WhiteNoise."""
    for token in MarkdownIt("commonmark").parse(text):
        if token.type != "inline":
            continue
        for sentence in _SENTENCE.split(token.content):
            if _WHITENOISE.search(sentence) and _INSTALL.search(sentence):
                return True
    return False
