"""The environment variables a page's settings read, and the stand-in values check-docs
gives them.

A page that says ``SECRET_KEY = os.environ["SECRET_KEY"]`` expects its reader to set
that variable on their platform; loading the settings without it would fail for a
reason that is not the page's mistake. Each variable the settings read gets a value
of the shape its name suggests, and a block that relied on one says so in its verdict.
"""

from __future__ import annotations

import ast
import re

#: Helpers pages use without defining them (django-environ's ``env``, python-decouple's
#: ``config``), read as environment lookups.
ENV_HELPERS = ("env", "config")
_GETTERS = {"get", "getenv", "str", "bool", "int", "float", "list", "tuple", "json", "url",
            "db", "db_url", "cache", "path"}  # fmt: skip
#: (pattern on the name, stand-in value), first match wins
_STAND_INS = (
    (re.compile(r"DEBUG"), "False"),
    (re.compile(r"PORT|TIMEOUT|WORKERS|AGE|SECONDS"), "1"),
    (re.compile(r"DATABASE_URL|DB_URL"), "sqlite:///db.sqlite3"),
    (re.compile(r"ORIGINS"), "https://example.com"),
    (re.compile(r"HOSTS?$|DOMAIN"), "example.com"),
    (re.compile(r"URL"), "https://example.com/"),
)


def read_names(tree: ast.Module) -> set[str]:
    """Names read as ``os.environ[...]``, ``os.environ.get(...)``, ``os.getenv(...)``,
    ``env(...)``/``env.bool(...)`` or ``config(...)``, with a literal name and no
    default of the page's own."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            key = node.slice
        elif isinstance(node, ast.Call) and node.args and _is_getter(node.func):
            if len(node.args) > 1 or any(k.arg == "default" for k in node.keywords):
                continue  # the page's own default applies
            key = node.args[0]
        else:
            continue
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            names.add(key.value)
    return names


def stand_in(name: str) -> str:
    upper = name.upper()
    return next((value for pattern, value in _STAND_INS if pattern.search(upper)), "stand-in")


def helpers_source(helpers: list[str]) -> str:
    """Definitions of ``env``/``config``: called, or with a cast (``env.bool(...)``,
    ``config(..., cast=int)``), they return the variable as that type, or the default."""
    return "\n".join(
        [
            "",
            "",
            "class _EnvironmentLookup:",
            "    def __call__(self, name, default=None, cast=None, **kwargs):",
            "        value = os.environ.get(name, default)",
            "        return value if not isinstance(value, str) else _cast_environment(cast, value)",
            "",
            "    def __getattr__(self, cast):",
            "        return lambda name, default=None, **kwargs: self(name, default, cast)",
            "",
            "",
            "def _cast_environment(cast, value):",
            "    kind = getattr(cast, '__name__', cast)",
            "    if kind == 'bool':",
            "        return value.lower() in ('1', 'true', 'yes', 'on')",
            "    if kind in ('list', 'tuple', 'Csv'):",
            "        return [item.strip() for item in value.split(',') if item.strip()]",
            "    if kind in ('db', 'db_url', 'cache', 'cache_url'):",
            "        return {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}",
            "    if kind in ('int', 'float'):",
            "        return int(value) if kind == 'int' else float(value)",
            "    return value",
            "",
            *(f"{helper} = _EnvironmentLookup()" for helper in helpers),
            "",
        ]
    )


def _is_environ(node: ast.expr) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ"
    )


def _is_getter(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ENV_HELPERS or func.id == "getenv"
    if isinstance(func, ast.Attribute) and func.attr in _GETTERS:
        owner = func.value
        return _is_environ(owner) or (
            isinstance(owner, ast.Name) and owner.id in (*ENV_HELPERS, "os")
        )
    return False
