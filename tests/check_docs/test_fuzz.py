"""check-docs on any input: Markdown written from real-world pieces (every fence shape,
settings snippets whole, elided, truncated or garbled, line endings of every kind, a
byte-order mark), arbitrary bytes and invalid UTF-8. Whatever comes in, an answer comes
out: text or ``Unreadable``, a verdict per block, an exit status; never an exception.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, configuration, given, settings
from hypothesis import strategies as st

from docs_harness.check_docs import sandbox
from docs_harness.check_docs.block_kinds import Kind
from docs_harness.check_docs.cli import main
from docs_harness.check_docs.document import (
    MAX_BLOCK_LINES,
    MAX_BLOCKS,
    MAX_BYTES,
    Unreadable,
    decode,
)
from docs_harness.check_docs.markdown_blocks import INDENTED
from docs_harness.check_docs.page_check import (
    BROKEN,
    NOT_CHECKABLE,
    WORKS,
    Page,
    check_page,
    read_page,
)
from docs_harness.harness.project import ProjectFactory

PATH = Path("docs/page.md")
#: Kinds check-docs runs or reads for installs; every other kind says what the block is.
RUNNABLE = {Kind.SETTINGS, Kind.URLCONF, Kind.SHELL, Kind.REQUIREMENTS}
_RUNS = itertools.count()
# Hypothesis' caches go to a temporary folder, not into the repository as .hypothesis
# (the examples database is off in every test's settings). Set on import: its pytest
# plugin writes them while collecting.
configuration.set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "docs-harness-hypothesis")


# -- pieces ------------------------------------------------------------------------------

SECURITY = '"django.middleware.security.SecurityMiddleware"'
WHITENOISE = '"whitenoise.middleware.WhiteNoiseMiddleware"'
STARTPROJECT_MIDDLEWARE = [
    SECURITY,
    '"django.contrib.sessions.middleware.SessionMiddleware"',
    '"django.middleware.common.CommonMiddleware"',
    '"django.middleware.csrf.CsrfViewMiddleware"',
    '"django.contrib.auth.middleware.AuthenticationMiddleware"',
    '"django.contrib.messages.middleware.MessageMiddleware"',
    '"django.middleware.clickjacking.XFrameOptionsMiddleware"',
]


def _listing(name: str, items: list[str]) -> str:
    return f"{name} = [\n" + "".join(f"    {item},\n" for item in items) + "]\n"


SETTINGS = [
    _listing("MIDDLEWARE", [SECURITY, WHITENOISE, "# ..."]),
    _listing("MIDDLEWARE", [SECURITY, WHITENOISE, *STARTPROJECT_MIDDLEWARE[1:]]),
    _listing("MIDDLEWARE", STARTPROJECT_MIDDLEWARE),
    _listing("MIDDLEWARE", [*STARTPROJECT_MIDDLEWARE, WHITENOISE]),
    _listing("MIDDLEWARE", ["# ...", WHITENOISE, "[...]"]),
    _listing("MIDDLEWARE", [WHITENOISE, "..."]),
    f"MIDDLEWARE.insert(1, {WHITENOISE})\n",
    f"MIDDLEWARE += [{WHITENOISE}]\n",
    f"MIDDLEWARE = MIDDLEWARE + \\\n    [{WHITENOISE}]\n",
    'STORAGES = {\n    "staticfiles": {\n        "BACKEND": '
    '"whitenoise.storage.CompressedManifestStaticFilesStorage",\n    },\n}\n',
    'STORAGES = {\n    "default": {\n        "BACKEND": "django.core.files.storage.'
    'FileSystemStorage",\n    },\n    "staticfiles": {\n        "BACKEND": '
    '"whitenoise.storage.CompressedStaticFilesStorage",\n    },\n}\n',
    'STORAGES = {\n    # ...\n    "staticfiles": {\n        "BACKEND": '
    '"whitenoise.storage.CompressedManifestStaticFilesStorage",\n    },\n}\n',
    'STORAGES["staticfiles"]["BACKEND"] = "whitenoise.storage.CompressedStaticFilesStorage"\n',
    'STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"\n',
    'STATICFILES_STORAGE = "whitenoise.django.GzipManifestStaticFilesStorage"\n',
    'STATIC_ROOT = BASE_DIR / "staticfiles"\n',
    'STATIC_ROOT = os.path.join(BASE_DIR, "staticfiles")\nSTATIC_URL = "/static/"\n',
    'STATIC_URL = \\\n    "/static/"\n',
    'STATICFILES_DIRS = [\n    BASE_DIR / "static",\n]\n',
    "from .base import *\n\nDEBUG = False\n",
    "from .base import *  # noqa\n",
    "try:\n    from .local import *\nexcept ImportError:\n    pass\n",
    "try:\n# ...\n",
    "if DEBUG:\n    # ...\n",
    "if not DEBUG:\n    ...\n",
    'INSTALLED_APPS = [\n    "whitenoise.runserver_nostatic",\n    '
    '"django.contrib.staticfiles",\n    # ...\n]\n',
    'INSTALLED_APPS = [..., "<your-app>"]\n',
    "INSTALLED_APPS = [\n    ...\n    'whitenoise.runserver_nostatic',\n]\n",
    'SECRET_KEY = "YOUR_SECRET_KEY"\n',
    'SECRET_KEY = "{{ secret_key }}"\nROOT_URLCONF = "{{ project_name }}.urls"\n',
    'WSGI_APPLICATION = "<your-project>.wsgi.application"\n',
    "ALLOWED_HOSTS = [...]\n",
    "ALLOWED_HOSTS = ['*']\nDEBUG = False\n",
    "WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0\n",
    "WHITENOISE_USE_FINDERS = True\nWHITENOISE_AUTOREFRESH = DEBUG\n",
    "WHITENOISE_MANIFEST_STRICT = False\nWHITENOISE_KEEP_ONLY_HASHED_FILES = True\n",
    'SECRET_KEY = env("SECRET_KEY")\nDEBUG = config("DEBUG", default=False, cast=bool)\n',
    'DATABASES = {"default": dj_database_url.config(conn_max_age=600)}\n',
    'STATIC_HOST = os.environ.get("DJANGO_STATIC_HOST", "")\n'
    'STATIC_URL = STATIC_HOST + "/static/"\n',
    "import django_heroku\ndjango_heroku.settings(locals())\n",
    "DEBUG = False\n",
    "DEBUG = 1 / 0\n",
    "import no_such_module_anywhere\nSTATIC_URL = '/s/'\n",
    'STATIC_URL = "unterminated\n',
    "    STATIC_URL = '/static/'\n    DEBUG = True\n",
]
OTHER_PYTHON = [
    'urlpatterns = [\n    path("admin/", admin.site.urls),\n]\n',
    "from django.urls import path\n\nurlpatterns = [...]\n",
    "from django.core.wsgi import get_wsgi_application\nfrom whitenoise import WhiteNoise\n\n"
    'application = get_wsgi_application()\napplication = WhiteNoise(application, root="/srv")\n',
    "from whitenoise.django import DjangoWhiteNoise\n",
    "def view(request):\n    ...\n",
    ">>> from django.conf import settings\n>>> settings.STATIC_ROOT\n'/app/staticfiles'\n",
]
SHELL = [
    "pip install whitenoise\n",
    "$ pip install 'whitenoise[brotli]'\n",
    "(venv) $ python -m pip install -U whitenoise django\n",
    "$ python manage.py collectstatic\n\n123 static files copied to '/app/staticfiles'.\n",
    "python manage.py runserver --nostatic\n",
    "export DJANGO_SETTINGS_MODULE=mysite.settings\n",
    "heroku config:set DISABLE_COLLECTSTATIC=1\n",
    "user@host:~/site$ ls staticfiles\nadmin  css  staticfiles.json\n",
]
FILES = [
    "web: gunicorn mysite.wsgi --log-file -\nrelease: python manage.py collectstatic\n",
    "FROM python:3.12-slim\nCOPY . /app\nRUN pip install -r requirements.txt\n"
    "RUN python manage.py collectstatic --noinput\n",
    "SECRET_KEY=change-me\nDEBUG=False\n",
    "services:\n  web:\n    build: .\n    command: gunicorn mysite.wsgi\n",
    "django>=4.2\nwhitenoise[brotli]==6.9.0\n",
    "location /static/ { alias /srv/static/; }\n",
    "{% load static %}\n<img src=\"{% static 'logo.png' %}\">\n",
    '[tool.poetry.dependencies]\nwhitenoise = "^6.9"\n',
]
SNIPPETS = SETTINGS + OTHER_PYTHON + SHELL + FILES

INFO = [
    "python", "py", "Python", "python3", "bash", "console", "shell", "sh", "text", "txt",
    "yaml", "dockerfile", "procfile", "env", "toml", "nginx", "diff", "pycon", "json", "",
    "{note}", "{code-block} python", "{", "{}", 'python title="settings.py"',
    'py hl_lines="2 3"', "  python  ", "python{1,3}", "ünïcødé", "python\u200b", "🐍",
    "py\u00a0linenums", "mysite/settings.py",
]  # fmt: skip
#: Mostly the info strings pages use, sometimes anything at all.
ANY_INFO = st.one_of(st.sampled_from(INFO), st.sampled_from(INFO), st.text(max_size=12))
#: What a settings block is marked with, mostly; now and then something else.
SETTINGS_INFO = st.one_of(
    st.sampled_from(["python", "py", "", 'python title="settings.py"', "Python", "python3"]),
    st.sampled_from(["python", "py", ""]),
    st.sampled_from(INFO),
)
PROSE = [
    "# Serving static files",
    "Add WhiteNoise to your `requirements.txt` and install it:",
    "Then edit `settings.py`:",
    "1. Add the middleware",
    "- a list item",
    "> A quote.",
    "---",
    "<div>html block</div>",
    "Some `inline` code and a stray ``` in prose.",
    "    not code after a paragraph? it is a lazy continuation",
]


def _truncated(text: str) -> st.SearchStrategy[str]:
    return st.integers(0, len(text)).map(lambda at: text[:at])


def _indented(text: str, by: str) -> str:
    return "".join(by + line if line.strip() else line for line in text.splitlines(True))


def bodies(snippets: list[str]) -> st.SearchStrategy[str]:
    one = st.sampled_from(snippets)
    return st.one_of(
        one,
        one.flatmap(_truncated),
        st.lists(one, min_size=2, max_size=3).map("\n".join),
        st.tuples(one, st.sampled_from([" ", "  ", "    ", "\t"])).map(
            lambda pair: _indented(*pair)
        ),
        one.map(lambda text: text.replace("    ", "\t")),
        st.text(max_size=80),
        st.tuples(one, st.text(max_size=20), st.integers(0, 400)).map(
            lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]
        ),
    )


ANY_BODY = bodies(SNIPPETS)


@st.composite
def code_blocks(
    draw, body: st.SearchStrategy[str], infos: st.SearchStrategy[str], last: bool = False
) -> str:
    """One code block, as a Markdown author writes it: fenced (backticks or tildes,
    three to five), indented four, in a list item or block quote, or with tabs."""
    text = draw(body)
    if not text.endswith("\n"):
        text += "\n"
    if draw(st.integers(0, 9)) == 0:
        lines = "".join(f"    {line}" if line.strip() else line for line in text.splitlines(True))
        return "\n" + lines
    char = draw(st.sampled_from("`~"))
    fence = char * draw(st.integers(3, 5))
    closing = char * draw(st.integers(len(fence), len(fence) + 2))
    info = draw(infos)
    spaces = draw(st.sampled_from(["", "", " ", "  ", "   "]))
    unclosed = last and draw(st.integers(0, 3)) == 0
    block = f"{spaces}{fence}{info}\n{text}" + ("" if unclosed else f"{spaces}{closing}\n")
    container = draw(st.sampled_from(["none", "none", "list", "quote", "tab", "quoted list"]))
    if container == "list":
        marker = draw(st.sampled_from(["-", "*", "+", "1.", "2)", "10."]))
        indent = " " * draw(st.integers(2, 4))
        return f"{marker} Add this:\n\n" + _indented(block, indent)
    if container == "quote":
        prefix = draw(st.sampled_from(["> ", ">", ">  "]))
        return "".join(prefix + line for line in block.splitlines(True))
    if container == "tab":
        return _indented(block, "\t")
    if container == "quoted list":
        return "".join(
            "> " + line for line in ("- Then:\n\n" + _indented(block, "  ")).splitlines(True)
        )
    return block


@st.composite
def documents(
    draw,
    body: st.SearchStrategy[str] = ANY_BODY,
    infos: st.SearchStrategy[str] = ANY_INFO,
    least: int = 0,
    most: int = 5,
) -> str:
    """A Markdown page: prose and code blocks, the last one possibly left open."""
    count = draw(st.integers(least, most))
    parts = []
    for index in range(count):
        if draw(st.booleans()):
            parts.append(draw(st.one_of(st.sampled_from(PROSE), st.text(max_size=40))))
        parts.append(draw(code_blocks(body, infos, last=index == count - 1)))
    separators = st.sampled_from(["\n", "\n\n", "\n\n\n"])
    return "".join(part + draw(separators) for part in parts)


@st.composite
def as_written(draw, text: str) -> bytes:
    """``text`` saved by some editor: LF, CRLF, lone CR or a mix; maybe a BOM."""
    style = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    lines = text.split("\n")
    if style == "mixed":
        ending = st.sampled_from(["\n", "\r\n", "\r"])
        ends = draw(st.lists(ending, min_size=len(lines) - 1, max_size=len(lines) - 1))
        ends.append("")
        for n in range(len(lines) - 1):  # CR, empty line, LF would read as one CRLF
            if ends[n] == "\r" and not lines[n + 1] and ends[n + 1].startswith("\n"):
                ends[n] = "\r\n"
        written = "".join(line + end for line, end in zip(lines, ends, strict=True))
    else:
        written = style.join(lines)
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + written.encode()


INVALID = [
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\x80",
    b"\xed\xa0\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xe2\x82",
]


@st.composite
def invalid_utf8(draw) -> bytes:
    data = draw(documents().flatmap(as_written))
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.sampled_from(INVALID)) + data[at:]


def any_bytes() -> st.SearchStrategy[bytes]:
    return st.one_of(documents().flatmap(as_written), invalid_utf8(), st.binary(max_size=300))


# -- property 1: reading never fails but with Unreadable --------------------------------


def _lines_of(text: str) -> list[str]:
    """Lines as CommonMark (and markdown-it) counts them: \\r\\n, \\r and \\n end one."""
    return re.split(r"\r\n?|\n", text)


def _check_read(text: str) -> Page | None:
    try:
        page = read_page(PATH, text)
    except Unreadable as exc:
        assert str(exc)
        return None
    lines = _lines_of(text)
    starts = [item.block.line for item in page.blocks]
    assert starts == sorted(set(starts)), "blocks out of order, or two on one line"
    for item in page.blocks:
        block = item.block
        assert 1 <= block.line <= len(lines) + 1, (block, len(lines))
        if block.form != INDENTED and "\r" not in text:
            opening = lines[block.line - 1]
            assert "```" in opening or "~~~" in opening, (block, opening)
        if item.kind not in RUNNABLE:
            assert item.reason, item
    return page


FAST = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FAST
@given(documents())
def test_any_document_is_read_or_unreadable(text):
    _check_read(text)


@FAST
@given(any_bytes())
def test_any_bytes_decode_to_text_or_unreadable_and_then_read(data):
    try:
        text = decode(data)
    except Unreadable as exc:
        assert str(exc)
        return
    assert "\r" not in text
    _check_read(text)


def _shapes(page: Page | None) -> list[tuple] | None:
    if page is None:
        return None
    return [(r.block.line, r.block.end, r.block.form, r.block.info, r.block.source, r.kind)
            for r in page.blocks]  # fmt: skip


@FAST
@given(documents(), st.data())
def test_line_endings_and_a_bom_change_no_block(text, data):
    written = data.draw(as_written(text), label="written")
    decoded = decode(written)  # valid UTF-8 under MAX_BYTES: never Unreadable
    assert "\r" not in decoded
    page = _check_read(decoded)
    if "\r" not in text and not text.startswith("\ufeff"):
        assert _shapes(page) == _shapes(_check_read(text))


@settings(max_examples=100, deadline=None, database=None)
@given(invalid_utf8())
def test_invalid_utf8_is_unreadable_and_says_why(data):
    with pytest.raises(Unreadable, match=r"not UTF-8 text: byte 0x[0-9a-f]{2} on line \d+"):
        decode(data)


# -- property 2: a real Django answers every block -------------------------------------


@pytest.fixture(scope="module")
def factory(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("fuzz")
    return ProjectFactory(workdir / "projects", sandbox.make(workdir))


def _settings_pages() -> st.SearchStrategy[bytes]:
    body = st.one_of(
        bodies(SETTINGS),
        st.sampled_from(SETTINGS),
        st.sampled_from(SETTINGS),
        st.sampled_from(SHELL + FILES + OTHER_PYTHON),
    )
    return documents(body, SETTINGS_INFO, least=1, most=4).flatmap(as_written)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_settings_pages())
def test_every_block_of_a_settings_page_gets_one_verdict(factory, data):
    text = decode(data)
    blocks = [item.block for item in read_page(PATH, text).blocks]
    verdicts = check_page(PATH, text, factory, f"fuzz{next(_RUNS)}")
    assert [v.block for v in verdicts] == blocks
    for verdict in verdicts:
        assert verdict.status in (WORKS, BROKEN, NOT_CHECKABLE)
        if verdict.status == BROKEN:
            assert verdict.checks, verdict
            assert verdict.reason.startswith(verdict.checks[0]), verdict
        if verdict.status == NOT_CHECKABLE:
            assert verdict.reason, verdict


# -- property 3: the command answers with an exit status --------------------------------


def _readable(data: bytes) -> bool:
    try:
        read_page(PATH, decode(data))
    except Unreadable:
        return False
    return True


@settings(
    max_examples=5,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.one_of(_settings_pages(), any_bytes()))
def test_the_command_exits_0_1_or_2_and_prints_json(tmp_path_factory, data):
    page = tmp_path_factory.mktemp("cli") / "page.md"
    page.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(page), "--format", "json"])
    assert status in (0, 1, 2), err.getvalue()
    if status in (0, 1):
        report = json.loads(out.getvalue())
        assert report["errors"] == []
    # a readable page is answered, not dropped with an internal error
    assert "could not be checked" not in out.getvalue() + err.getvalue()
    assert (status == 2) == (not _readable(data)), (status, out.getvalue(), err.getvalue())


# -- bounds ------------------------------------------------------------------------------


def test_a_block_of_20000_lines_is_not_checkable_and_says_how_long_it_may_be(factory):
    body = "".join(f"SETTING_{n} = {n}\n" for n in range(20_000))
    text = f"# Huge\n\n```python\n{body}```\n"
    (read,) = read_page(PATH, text).blocks
    assert read.kind not in RUNNABLE and f"{MAX_BLOCK_LINES:,}" in read.reason
    (verdict,) = check_page(PATH, text, factory, f"huge{next(_RUNS)}")
    assert verdict.status == NOT_CHECKABLE
    assert "too large" in verdict.reason and f"{MAX_BLOCK_LINES:,}" in verdict.reason


def test_a_document_of_600_blocks_is_unreadable_and_says_how_many_are_read(factory):
    text = "".join(f"```python\nSETTING_{n} = {n}\n```\n\n" for n in range(600))
    with pytest.raises(Unreadable, match=f"600 code blocks.*{MAX_BLOCKS}"):
        read_page(PATH, text)
    with pytest.raises(Unreadable, match=f"{MAX_BLOCKS}"):
        check_page(PATH, text, factory, f"many{next(_RUNS)}")


def test_a_document_over_the_byte_bound_is_unreadable():
    with pytest.raises(Unreadable, match=f"{MAX_BYTES:,} bytes"):
        decode(b"a" * (MAX_BYTES + 1))


def test_a_file_that_is_not_utf8_exits_2_naming_the_file(tmp_path, capsys):
    page = tmp_path / "latin1.md"
    page.write_bytes(b"# Cafe\n\n```python\nDEBUG = False\n```\n\xff\n")
    assert main([str(page)]) == 2
    err = capsys.readouterr().err
    assert f"{page.as_posix()}: not UTF-8 text: byte 0xff on line 6" in err
