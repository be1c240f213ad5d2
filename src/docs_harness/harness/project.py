"""A fresh Django project on disk, made the way a reader makes one, and its commands.

``startproject`` runs once per session; each page gets a copy of that project with the
example app (``example/``, shipped with the package) installed, so pages never share
state.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypedDict, cast

from . import forkserver, processes
from .collect_cache import CollectCache
from .recording import note_command
from .settings_merge import apply_snippet, delete_settings

PROJECT = "mysite"
EXAMPLE_APP = "static_demo"
#: Module the production server boots: the project's settings with DEBUG off.
PRODUCTION_SETTINGS = "production_check_settings"
FACTS_SCRIPT = Path(__file__).with_name("django_facts.py")
#: The example app and project-level static folder every page's project gets.
EXAMPLE = Path(__file__).with_name("example")
COMMAND_TIMEOUT = 180
#: Kinds of command the harness runs for itself, not because a page says so: no record
_UNRECORDED = ("settings read", "startproject")


class WhiteNoiseConfig(TypedDict, total=False):
    """WhiteNoiseMiddleware's settings as it read them (``error`` when it could not)."""

    error: str | None
    max_age: int | None
    allow_all_origins: bool
    charset: str
    index_file: str | None
    use_finders: bool
    autorefresh: bool
    static_prefix: str
    root: str | None
    keep_only_hashed_files: bool
    manifest_strict: bool | None


class Facts(TypedDict, total=False):
    """What ``django_facts.py`` reports from inside the project, Django booted. Only
    ``django`` and ``settings_error`` are always there; the rest when Django started."""

    django: str | None
    settings_error: str | None
    traceback: str
    debug: bool
    middleware: list[str]
    installed_apps: list[str]
    static_url: str
    static_root: str | None
    staticfiles_dirs: list[str]
    #: Whether the settings module sets STATICFILES_STORAGE / STORAGES itself
    overridden: dict[str, bool]
    whitenoise: str | None
    brotli: str | None
    middleware_errors: dict[str, str]
    staticfiles_storage: str | None
    staticfiles_storage_error: str | None
    manifest: bool
    compressed: bool
    whitenoise_storage: bool
    default_storage_error: str | None
    force_script_name: str | None
    whitenoise_config: WhiteNoiseConfig
    #: {% static %} for a file the manifest does not list: {"name", "url", "error"}
    unlisted_static: dict[str, str | None] | None
    check_passed: bool
    check_output: str


class SettingsError(RuntimeError):
    """settings.py raised when imported; the message is the exception."""


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


class Confinement(Protocol):
    """Where code from outside (a document's settings) runs: ``check_docs.sandbox``.
    ``env`` filters the environment a project's commands start from."""

    @property
    def timeout(self) -> float:
        """Seconds a command may take."""

    @property
    def limits(self) -> processes.Limits: ...

    def argv(self, argv: list[str], cwd: Path) -> list[str]: ...

    def env(self, env: Mapping[str, str]) -> dict[str, str]: ...


def django_default(name: str) -> str | None:
    """Django's own default for a setting, as Python source, if it is a literal."""
    from django.conf import global_settings

    if not hasattr(global_settings, name):
        return None
    source = repr(getattr(global_settings, name))
    try:
        ast.literal_eval(source)
    except ValueError:
        return None
    return source


class ProjectFactory:
    """Makes the startproject template once, then one copy per page."""

    def __init__(self, workdir: Path, confine: Confinement | None = None) -> None:
        self.workdir = workdir
        self.confine = confine
        self._lock = threading.Lock()
        self._template: Path | None = None
        self._failure: Exception | None = None
        self.collect_cache = CollectCache(workdir / "collectstatic-results")
        self._pristine_settings = ""

    def new(self, name: str) -> Project:
        template = self._ensure_template()
        root = self.workdir / name
        shutil.copytree(template, root, symlinks=True)
        return Project(root, self._pristine_settings, self.confine)

    def _ensure_template(self) -> Path:
        with self._lock:
            if self._failure is not None:
                raise self._failure  # every page gets the first, real error
            if self._template is None:
                try:
                    self._template = self._make_template()
                except Exception as exc:
                    self._failure = exc
                    raise
            return self._template

    def _make_template(self) -> Path:
        root = self.workdir / "startproject"
        root.mkdir(parents=True)
        result = run_command(
            [_django_admin(), "startproject", PROJECT, str(root)], cwd=root, kind="startproject"
        )
        if not result.ok:
            raise RuntimeError(f"django-admin startproject failed:\n{result.output}")
        project = Project(root, "")
        self._pristine_settings = project.settings_path.read_text()
        self._install_example_app(project)
        return root

    def _install_example_app(self, project: Project) -> None:
        shutil.copytree(EXAMPLE / EXAMPLE_APP, project.root / EXAMPLE_APP)
        shutil.copytree(EXAMPLE / "project_static", project.root / "static")
        project.apply_settings(f'INSTALLED_APPS = [..., "{EXAMPLE_APP}"]')
        urls = project.root / PROJECT / "urls.py"
        # startproject's urls.py imports path from django.urls; the app needs include too.
        source = urls.read_text().replace(
            "from django.urls import path\n", "from django.urls import include, path\n", 1
        )
        if "import include, path" not in source:
            raise RuntimeError(f"startproject's urls.py does not import path:\n{source}")
        urls.write_text(f'{source}\nurlpatterns += [path("", include("{EXAMPLE_APP}.urls"))]\n')
        (project.root / f"{PRODUCTION_SETTINGS}.py").write_text(
            f"from {PROJECT}.settings import *  # noqa: F403\n\n"
            "DEBUG = False\n"
            'ALLOWED_HOSTS = ["127.0.0.1"]\n'
        )


def _django_admin() -> str:
    return str(Path(sys.executable).with_name("django-admin"))


def run_command(
    argv: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: str = "",
    kind: str = "command",
    confine: Confinement | None = None,
) -> CommandResult:
    """Run to the end; stdout and stderr interleaved as a terminal shows them. A Python
    command is forked from a warm interpreter when it can be (see ``forkserver``); a
    confined one never is: it starts inside its confinement."""
    start = time.perf_counter()
    recorded = kind not in _UNRECORDED
    try:
        if confine is not None:
            kind = f"confined {kind}"
            returncode, output = processes.run(
                confine.argv(argv, cwd), kind=kind, cwd=cwd, env=env, stdin=stdin,
                timeout=confine.timeout, limits=confine.limits,
            )  # fmt: skip
        elif env is not None and forkserver.forkable(argv):
            kind = f"forked {kind}"
            returncode, output = forkserver.run(
                argv, kind=kind, cwd=cwd, env=env, stdin=stdin, timeout=COMMAND_TIMEOUT
            )
        else:
            returncode, output = processes.run(
                argv, kind=kind, cwd=cwd, env=env, stdin=stdin, timeout=COMMAND_TIMEOUT
            )
    except subprocess.TimeoutExpired as exc:
        if recorded:
            shown = (
                exc.output.decode(errors="replace") if isinstance(exc.output, bytes) else exc.output
            )
            note_command(
                argv, None, shown or "", f"did not finish within {exc.timeout:.0f} s; stopped"
            )
        raise
    processes.spent(kind, time.perf_counter() - start)
    if recorded:
        note_command(argv, returncode, output)
    return CommandResult(tuple(argv), returncode, output)


@dataclass
class Project:
    root: Path
    pristine_settings: str
    #: where the project's commands run when its settings come from outside
    confine: Confinement | None = None

    @property
    def settings_path(self) -> Path:
        return self.root / PROJECT / "settings.py"

    def env(self, *, production: bool = False, extra: Mapping[str, str] = {}) -> dict[str, str]:  # noqa: B006
        """The environment commands run in; ``extra`` is what a page sets before one."""
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONUNBUFFERED"] = "1"
        env["DJANGO_SETTINGS_MODULE"] = PRODUCTION_SETTINGS if production else f"{PROJECT}.settings"
        if self.confine is not None:  # only what the confinement lets in, and the page's own
            env = self.confine.env(env)
        return {**env, **extra}

    def manage(
        self,
        args: tuple[str, ...],
        *,
        stdin: str = "",
        extra: Mapping[str, str] = {},  # noqa: B006
    ) -> CommandResult:
        return run_command(
            self.manage_argv(args),
            cwd=self.root,
            env=self.env(extra=extra),
            stdin=stdin,
            kind=f"manage.py {args[0]}" if args else "manage.py",
            confine=self.confine,
        )

    def python_module(
        self,
        args: tuple[str, ...],
        *,
        extra: Mapping[str, str] = {},  # noqa: B006
    ) -> CommandResult:
        """``python -m MODULE ARGS`` in the project, with its settings."""
        return run_command(
            [sys.executable, "-m", *args],
            cwd=self.root,
            env=self.env(extra=extra),
            kind=f"python -m {args[0]}",
            confine=self.confine,
        )

    def manage_argv(self, args: tuple[str, ...]) -> list[str]:
        return [sys.executable, "manage.py", *args]

    def gunicorn_argv(
        self, port: int, app: str | None = f"{PROJECT}.wsgi:application"
    ) -> list[str]:
        """gunicorn on 127.0.0.1:port; without ``app``, the caller adds its arguments."""
        return [
            sys.executable, "-m", "gunicorn", *([app, "--workers", "1"] if app else []),
            "--bind", f"127.0.0.1:{port}",
            "--no-control-socket",  # gunicorn 27+ would share one in $HOME
        ]  # fmt: skip

    def facts(self, *, production: bool) -> Facts:
        return cast(Facts, self._probe(production=production))

    def _probe(
        self,
        *args: str,
        production: bool = False,
        extra: Mapping[str, str] = {},  # noqa: B006
    ) -> dict:
        result = run_command(
            [sys.executable, "-c", FACTS_SCRIPT.read_text(), *args],
            cwd=self.root,
            env=self.env(production=production, extra=extra),
            kind="settings read",
            confine=self.confine,
        )
        reports = [line for line in result.output.splitlines() if line.startswith("{")]
        try:
            return json.loads(reports[-1])
        except (IndexError, ValueError):
            raise RuntimeError(f"the settings probe printed no report:\n{result.tail()}") from None

    def apply_settings(self, snippet: str, *, delete: bool = False) -> frozenset[str]:
        current = self.settings_path.read_text()
        applied = (
            delete_settings(current, snippet)
            if delete
            else apply_snippet(current, snippet, django_default)
        )
        self.settings_path.write_text(applied.source)
        return applied.touched

    def declared_settings(self, extra: Mapping[str, str] = {}) -> dict[str, Any]:  # noqa: B006
        """The settings module's upper-case names, imported in a fresh interpreter
        without booting Django (paths come back as strings)."""
        report = self._probe("--declared", extra=extra)
        if report["error"]:
            raise SettingsError(report["error"])
        return report["settings"]

    def settings_diff(self, after: str = "the page") -> str:
        diff = difflib.unified_diff(
            self.pristine_settings.splitlines(keepends=True),
            self.settings_path.read_text().splitlines(keepends=True),
            fromfile="settings.py (startproject)",
            tofile=f"settings.py (after {after})",
        )
        return "".join(diff)
