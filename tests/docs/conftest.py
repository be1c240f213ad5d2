"""The pages of docs/ are proved by the harness's pytest plugin; only this folder loads it."""

from docs_harness.pytest_plugin import (  # noqa: F401 (hooks and fixtures pytest finds here)
    page_runner,
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_report_header,
    pytest_terminal_summary,
)
