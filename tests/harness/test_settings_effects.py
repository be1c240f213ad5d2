"""Each WHITENOISE_* setting a page sets is checked for its effect on real responses."""

from __future__ import annotations

from docs_harness.verdicts import Status

from .test_catches_mistakes import PRODUCTION_PAGE

EFFECTS = """
```python title="settings.py"
WHITENOISE_ROOT = BASE_DIR / "public"
WHITENOISE_INDEX_FILE = True
WHITENOISE_MAX_AGE = 600
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_MANIFEST_STRICT = False
WHITENOISE_ALLOW_ALL_ORIGINS = False
WHITENOISE_CHARSET = "iso-8859-1"
```

```html title="public/guide/index.html"
<h1>Guide</h1>
```

```bash
python manage.py collectstatic --noinput --clear
```
"""


def test_every_setting_shown_is_checked_for_its_effect(run_markdown):
    verdicts = run_markdown(PRODUCTION_PAGE + EFFECTS)
    assert all(v.status in (Status.PASSED, "not-applicable") for v in verdicts), [
        (v.block.line, v.status, v.reason, v.failures) for v in verdicts
    ]
    checked = {name for v in verdicts for name in v.checks}
    assert {
        "whitenoise-root",
        "keep-only-hashed-files",
        "manifest-strict",
        "allow-all-origins",
        "charset",
        "no-path-traversal",
        "compressed-copies-not-urls",
        "head",
        "range",
        "other-methods-405",
    } <= checked
    assert "unhashed-cached-briefly" not in checked  # unhashed names are gone
