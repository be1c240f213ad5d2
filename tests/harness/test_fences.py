"""Every fence is found, with its line, options and Django range."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from docs_harness.fences import FENCE_OPTIONS, FenceError, parse_info_string
from docs_harness.harness.extract import _with_blocks_only_pytest_examples_found, extract_blocks
from docs_harness.site.fence_options import hide_harness_options
from docs_harness.versions import DjangoRange, RangeError, parse_range, range_from_tab_label


def blocks_of(markdown: str, tmp_path: Path):
    page = tmp_path / "page.md"
    page.write_text(textwrap.dedent(markdown))
    return extract_blocks(page, page.read_text(), Path("docs/page.md"))


def test_blocks_in_tabs_and_lists_are_found_with_their_fence_line(tmp_path):
    blocks = blocks_of(
        """\
        # Page

        ```bash
        python manage.py check
        ```

        1. A step:

            ```python title="settings.py"
            DEBUG = False
            ```

        === "Django 4.2+"

            ```python title="settings.py"
            STORAGES = {}
            ```

        === "Django 3.2 to 4.1"

            ```python title="settings.py"
            STATICFILES_STORAGE = "x"
            ```

        ~~~text skip="an illustration"
        anything
        ~~~
        """,
        tmp_path,
    )
    assert [(b.line, b.language, b.tab) for b in blocks] == [
        (3, "bash", None),
        (9, "python", None),
        (15, "python", "Django 4.2+"),
        (21, "python", "Django 3.2 to 4.1"),
        (25, "text", None),
    ]
    assert blocks[1].source == "DEBUG = False\n"
    assert blocks[2].django == DjangoRange((4, 2), None)
    assert blocks[3].django == DjangoRange((3, 2), (4, 1))
    assert blocks[0].location == "docs/page.md:3"


def test_a_fence_option_narrows_the_range(tmp_path):
    [block] = blocks_of('```python title="settings.py" django="5.1+"\nX = 1\n```\n', tmp_path)
    assert not block.django.contains((5, 0)) and block.django.contains((6, 1))


def test_an_unknown_option_is_an_error_on_that_block(tmp_path):
    [block] = blocks_of('text\n\n```python titel="settings.py"\nX = 1\n```\n', tmp_path)
    assert block.line == 3 and "unknown fence option 'titel'" in block.error


def test_an_unreadable_tab_label_is_an_error(tmp_path):
    [block] = blocks_of(
        '=== "Django four"\n\n    ```bash\n    python manage.py check\n    ```\n', tmp_path
    )
    assert "Django four" in block.error


def test_an_unclosed_fence_runs_to_the_end_of_the_page(tmp_path):
    [block] = blocks_of("```bash\npython manage.py check\n", tmp_path)
    assert block.source == "python manage.py check\n"


def test_tilde_fences_and_fences_inside_longer_fences_are_read(tmp_path):
    blocks = blocks_of(
        '~~~python title="settings.py"\nX = 1\n~~~\n\n````markdown skip="shows a fence"\n'
        "```python\nY = 2\n```\n````\n",
        tmp_path,
    )
    assert [(b.line, b.language, b.error) for b in blocks] == [
        (1, "python", None),
        (5, "markdown", None),
    ]


def test_a_python_block_only_pytest_examples_finds_fails_instead_of_vanishing(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nX = 1\n```\n")
    # As if our own finder had missed the block.
    [block] = _with_blocks_only_pytest_examples_found(page, Path("docs/page.md"), [])
    assert block.line == 3 and "pytest-examples finds a Python block" in block.error


def test_contradicting_tab_and_option_ranges_are_an_error(tmp_path):
    [block] = blocks_of(
        '=== "Django 3.2 to 4.1"\n\n    ```bash django="5.1"\n    python manage.py check\n    ```\n',
        tmp_path,
    )
    assert "no Django line" in block.error


def test_body_lines_lose_only_the_fences_indentation(tmp_path):
    [block] = blocks_of("  ```bash\n  python manage.py check\n    --verbosity 2\n  ```\n", tmp_path)
    assert block.source == "python manage.py check\n  --verbosity 2\n"


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("4.2+", (4, 2), None),
        ("3.2 to 4.1", (3, 2), (4, 1)),
        ("3.2 – 4.1", (3, 2), (4, 1)),
        ("5.1", (5, 1), (5, 1)),
    ],
)
def test_ranges_read_as_written(text, low, high):
    assert parse_range(text) == DjangoRange(low, high)


def test_a_tab_without_django_in_its_label_applies_everywhere():
    assert range_from_tab_label("pip") == DjangoRange()


def test_a_backwards_range_is_refused():
    with pytest.raises(RangeError):
        parse_range("4.1 to 3.2")


def test_a_bare_word_in_the_info_string_is_refused():
    with pytest.raises(FenceError, match='key="value"'):
        parse_info_string("python settings.py")


def test_the_site_hides_harness_options_and_keeps_the_title():
    markdown = (
        '    ```python title="settings.py" django="4.2+" skip="shown only"\n    X = 1\n    ```\n'
    )
    assert (
        hide_harness_options(markdown) == '    ```python title="settings.py"\n    X = 1\n    ```\n'
    )


def test_every_option_a_fence_may_carry_is_hidden_from_the_site_or_rendered_by_it():
    every = " ".join(f'{name}="1"' for name in FENCE_OPTIONS)
    kept = hide_harness_options(f"```python {every}\nX = 1\n```\n").splitlines()[0]
    rendered = [name for name, option in FENCE_OPTIONS.items() if not option.harness_only]
    assert kept == "```python " + " ".join(f'{name}="1"' for name in rendered)
