"""Each documented mistake makes the harness fail on the block that has it, naming it,
and the corrected page passes. Cases run on the Django lines where the mistake exists;
the test-harness session runs the oldest and newest lines, which cover every case."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from docs_harness.verdicts import Status
from docs_harness.versions import DjangoRange, parse_range

SECURITY = '"django.middleware.security.SecurityMiddleware"'
WHITENOISE = '"whitenoise.middleware.WhiteNoiseMiddleware"'
BACKEND = "whitenoise.storage.CompressedManifestStaticFilesStorage"

STATIC_ROOT = """
```python title="settings.py"
STATIC_ROOT = BASE_DIR / "staticfiles"
```
"""
MIDDLEWARE = f"""
```python title="settings.py"
MIDDLEWARE = [
    # ...
    {SECURITY},
    {WHITENOISE},
    # ...
]
```
"""
STORAGE = f'''
=== "Django 4.2+"

    ```python title="settings.py"
    STORAGES = {{
        "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
        "staticfiles": {{"BACKEND": "{BACKEND}"}},
    }}
    ```

=== "Django 3.2 to 4.1"

    ```python title="settings.py"
    STATICFILES_STORAGE = "{BACKEND}"
    ```
'''
COLLECT = """
```bash
python manage.py collectstatic --noinput
```
"""
NOSTATIC_APP = """
```python title="settings.py"
INSTALLED_APPS = [
    # ...
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # ...
]
```
"""
RUNSERVER = """
```bash
python manage.py runserver
```
"""
RUNSERVER_NOSTATIC = RUNSERVER.replace("runserver", "runserver --nostatic")
PRODUCTION_PAGE = "# Production\n" + STATIC_ROOT + MIDDLEWARE + STORAGE + COLLECT
SITE_ROOT = """
```python title="settings.py"
WHITENOISE_ROOT = BASE_DIR / "public"
```

```text title="public/robots.txt"
User-agent: *
```
"""
ROOT_PAGE = PRODUCTION_PAGE + SITE_ROOT
DEVELOPMENT_PAGE = "# Development\n" + MIDDLEWARE + NOSTATIC_APP + RUNSERVER


@dataclass(frozen=True)
class Mistake:
    id: str
    broken: str
    #: Text inside the block that must fail.
    in_block: str
    check: str
    #: Words the failure must contain, naming the mistake: the rulebook's code where it
    #: has one.
    says: str
    fixed: str = PRODUCTION_PAGE
    lines: DjangoRange = field(default_factory=DjangoRange)


MISTAKES = [
    Mistake(
        "whitenoise-above-security-middleware",
        PRODUCTION_PAGE.replace(f"{SECURITY},\n    {WHITENOISE}", f"{WHITENOISE},\n    {SECURITY}"),
        in_block="MIDDLEWARE = [",
        check="whitenoise-after-security-middleware",
        says="WN103",
    ),
    Mistake(
        "whitenoise-appended-after-all-middleware",
        PRODUCTION_PAGE.replace(
            MIDDLEWARE, f'\n```python title="settings.py"\nMIDDLEWARE.append({WHITENOISE})\n```\n'
        ),
        in_block="MIDDLEWARE.append",
        check="whitenoise-after-security-middleware",
        says="WN104",
    ),
    Mistake(
        "runserver-nostatic-below-staticfiles",
        DEVELOPMENT_PAGE.replace(
            '"whitenoise.runserver_nostatic",\n    "django.contrib.staticfiles",',
            '"django.contrib.staticfiles",\n    "whitenoise.runserver_nostatic",',
        ),
        in_block="INSTALLED_APPS = [",
        check="runserver-nostatic-order",
        says="WN105",
        fixed=DEVELOPMENT_PAGE,
    ),
    Mistake(
        "runserver-without-nostatic",
        "# Development\n" + MIDDLEWARE + RUNSERVER,
        in_block="python manage.py runserver",
        check="served-by-whitenoise",
        says="--nostatic",
        fixed="# Development\n" + MIDDLEWARE + RUNSERVER_NOSTATIC,
    ),
    Mistake(
        "typo-in-middleware-path",
        PRODUCTION_PAGE.replace("WhiteNoiseMiddleware", "WhiteNoiseMiddlewear"),
        in_block="MIDDLEWARE = [",
        check="middleware-importable",
        says="WN107",
    ),
    Mistake(
        "typo-in-storage-backend-path",
        PRODUCTION_PAGE.replace(BACKEND, BACKEND.replace("Manifest", "Manifset")),
        in_block="STORAGES = {",
        check="staticfiles-storage-importable",
        says="WN206",
        lines=parse_range("4.2+"),
    ),
    Mistake(
        "typo-in-storage-backend-path-before-4.2",
        PRODUCTION_PAGE.replace(BACKEND, BACKEND.replace("Manifest", "Manifset")),
        in_block="STATICFILES_STORAGE =",
        check="staticfiles-storage-importable",
        says="WN206",
        lines=parse_range("3.2 to 4.1"),
    ),
    Mistake(
        "staticfiles-storage-presented-for-django-5.1",
        PRODUCTION_PAGE.replace('=== "Django 3.2 to 4.1"', '=== "Django 5.1+"').replace(
            '=== "Django 4.2+"', '=== "Django 4.2 to 5.0"'
        ),
        in_block="STATICFILES_STORAGE =",
        check="setting-has-effect",
        says="WN201",
        lines=parse_range("5.1+"),
    ),
    Mistake(
        "storages-presented-for-django-3.2",
        PRODUCTION_PAGE.replace('=== "Django 4.2+"', '=== "Django 3.2+"').replace(
            '=== "Django 3.2 to 4.1"', '=== "Django 9.0"'
        ),
        in_block="STORAGES = {",
        check="setting-has-effect",
        says="WN202",
        lines=parse_range("3.2 to 4.1"),
    ),
    Mistake(
        "storages-without-default",
        PRODUCTION_PAGE.replace(
            '"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},\n        ', ""
        ),
        in_block="STORAGES = {",
        check="default-storage",
        says="WN204",
        lines=parse_range("4.2+"),
    ),
    Mistake(
        "no-static-root",
        PRODUCTION_PAGE.replace(STATIC_ROOT, ""),
        in_block="collectstatic",
        check="command-succeeds",
        says="STATIC_ROOT",
    ),
    Mistake(
        "whitenoise-storage-without-middleware",
        PRODUCTION_PAGE.replace(MIDDLEWARE, ""),
        in_block="STORAGES = {",
        check="whitenoise-storage-needs-middleware",
        says="WN102",
        lines=parse_range("4.2+"),
    ),
    Mistake(
        "whitenoise-root-exposes-the-project",
        ROOT_PAGE.replace('BASE_DIR / "public"', "BASE_DIR"),
        in_block="WHITENOISE_ROOT =",
        check="no-path-traversal",
        says="/mysite/settings.py",
        fixed=ROOT_PAGE,
    ),
    Mistake(
        "whitenoise-root-exposes-the-settings-package",
        ROOT_PAGE.replace('BASE_DIR / "public"', 'BASE_DIR / "mysite"'),
        in_block="WHITENOISE_ROOT =",
        check="no-path-traversal",
        says="/settings.py",
        fixed=ROOT_PAGE,
    ),
    Mistake(
        "whitenoise-root-misspelt-folder",
        ROOT_PAGE.replace('BASE_DIR / "public"', 'BASE_DIR / "publik"'),
        in_block="WHITENOISE_ROOT =",
        check="whitenoise-root",
        says="no file in WHITENOISE_ROOT",
        fixed=ROOT_PAGE,
    ),
    Mistake(
        "whitenoise-storage-without-middleware-before-4.2",
        PRODUCTION_PAGE.replace(MIDDLEWARE, ""),
        in_block="STATICFILES_STORAGE =",
        check="whitenoise-storage-needs-middleware",
        says="WN102",
        lines=parse_range("3.2 to 4.1"),
    ),
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "mistake" in metafunc.fixturenames:
        from docs_harness.verdicts import Environment

        line = Environment.installed().line
        cases = [m for m in MISTAKES if m.lines.contains(line)]
        metafunc.parametrize("mistake", cases, ids=[m.id for m in cases])


def fence_line(markdown: str, text: str) -> int:
    """1-based line of the fence that opens the block containing ``text``."""
    lines = markdown.splitlines()
    inside = next(
        i for i, line in enumerate(lines) if text in line and not line.lstrip().startswith("===")
    )
    return (
        next(i for i in range(inside, -1, -1) if lines[i].lstrip().startswith(("```", "~~~"))) + 1
    )


def test_the_mistake_fails_on_its_block_and_names_itself(mistake: Mistake, run_markdown):
    verdicts = run_markdown(mistake.broken)
    failed = {v.block.line: v for v in verdicts if v.status == Status.FAILED}
    line = fence_line(mistake.broken, mistake.in_block)
    assert line in failed, (
        f"expected page.md:{line} to fail; verdicts: {[(v.block.line, v.status, v.reason) for v in verdicts]}"
    )
    failures = failed[line].failures
    assert mistake.check in [f.check for f in failures]
    words = " ".join(f"{f.expected} {f.got} {f.hint}" for f in failures)
    assert mistake.says in words


@pytest.mark.parametrize(
    "page",
    [PRODUCTION_PAGE, DEVELOPMENT_PAGE, ROOT_PAGE],
    ids=["production", "development", "site-root"],
)
def test_the_corrected_page_passes(page: str, run_markdown):
    verdicts = run_markdown(page)
    assert all(
        v.status in (Status.PASSED, Status.NOT_APPLICABLE, Status.SKIPPED) for v in verdicts
    ), [(v.block.line, v.status, v.reason) for v in verdicts]
    assert any(v.status == Status.PASSED for v in verdicts)


def test_the_corrected_runserver_page_passes(run_markdown):
    verdicts = run_markdown("# Development\n" + MIDDLEWARE + RUNSERVER_NOSTATIC)
    assert [v.status for v in verdicts] == [Status.PASSED, Status.PASSED]
    assert "served-by-whitenoise" in verdicts[-1].checks


def test_every_mistake_has_a_corrected_page_that_passes():
    assert {m.fixed for m in MISTAKES} <= {
        PRODUCTION_PAGE,
        DEVELOPMENT_PAGE,
        ROOT_PAGE,
        "# Development\n" + MIDDLEWARE + RUNSERVER_NOSTATIC,
    }


def test_the_edge_lines_cover_every_mistake():
    edges = [(3, 2), (6, 1)]  # noxfile.EDGE_LINES
    assert all(any(m.lines.contains(e) for e in edges) for m in MISTAKES)
