"""Shell blocks applied to a page's project: a handler registered for each kind of
command, working on the page's ``PageContext``.

``runserver`` and ``gunicorn`` start the page's one server, which stays up for the
``curl`` commands after it.
"""

from __future__ import annotations

import http.client
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from ..fences import Block
from ..rules import WHITENOISE_MIDDLEWARE
from ..verdicts import OutputUpdate
from . import checks, http_checks, outputs
from .checks import CheckResult
from .commands import (
    DEFAULT_PORT,
    Command,
    CommandError,
    CommandKind,
    port_of,
    read_shell_block,
    split_bind,
)
from .fetch import request
from .packages import installed_problem
from .page_context import BlockFailed, PageContext, at_line
from .project import CommandResult, run_command
from .recording import note_command

Run = Callable[[PageContext, Command, Block, bool], "CommandResult | None"]


@dataclass(frozen=True)
class _Handler:
    run: Run
    #: A page may show this command's output, or show it failing.
    shows_output: bool


_HANDLERS: dict[CommandKind, _Handler] = {}


def handles(*kinds: CommandKind, shows_output: bool = False) -> Callable[[Run], Run]:
    """Register ``run`` as what the harness does for ``kinds`` of command."""

    def register(run: Run) -> Run:
        for kind in kinds:
            _HANDLERS[kind] = _Handler(run, shows_output)
        return run

    return register


def apply_shell(ctx: PageContext, block: Block) -> None:
    try:
        commands = read_shell_block(block.source, block.language)
    except CommandError as exc:
        raise BlockFailed(
            "shell-command", "a command the harness can run", at_line(block, exc)
        ) from None
    expects_error = "error" in block.options
    if "output" in block.options and not any(c.output for c in commands):
        raise BlockFailed(
            "fence", "output shown after a '$ ' command", 'output="..." and no output'
        )
    for index, command in enumerate(commands):
        if command.output and "output" not in block.options:
            raise BlockFailed(
                "fence",
                'output="exact" or output="partial" on a console block that shows output',
                f"{block.location}: output shown without the option",
            )
        last = index == len(commands) - 1
        expect_failure = expects_error and last
        handler = _HANDLERS[command.kind]
        result = handler.run(ctx, command, block, expect_failure)
        if (command.output or expect_failure) and not handler.shows_output:
            raise BlockFailed(
                "fence",
                "output and errors only on manage.py and curl commands",
                f"{command.text!r} shows output or is expected to fail",
            )
        if command.output and result is not None:
            _check_output(ctx, command, block, result)
        if expect_failure and result is not None:
            _check_error(ctx, command, block, result)


def _check_output(ctx: PageContext, command: Command, block: Block, result: CommandResult) -> None:
    mode = block.options["output"]
    root = str(ctx.project.root)
    comparison = outputs.compare(list(command.output), result.output, mode, root)
    ctx.record(
        checks.outcome(
            "expected-output",
            comparison.ok,
            f"`{command.text}` prints what the page shows ({mode})",
            f"the line {comparison.missing!r} is not in what it printed:\n{result.output.rstrip()}",
            hint="Run with --update-examples to write the real output into the page.",
        ),
        block,
    )
    if comparison.ok:
        ctx.show_urls(block, command.text, list(command.output), result.output)
    if not comparison.ok and command.output_lines:
        first, last = command.output_lines
        ctx.verdicts[block.line].updates.append(
            OutputUpdate(
                block.path.as_posix(),
                block.line + first,
                block.line + last,
                tuple(outputs.rewritten(result.output, root, mode, list(command.output))),
                block.indent,
            )
        )


def _check_error(ctx: PageContext, command: Command, block: Block, result: CommandResult) -> None:
    if result.ok:
        raise BlockFailed(
            "expected-error",
            block.options["error"],
            f"`{command.text}` succeeded:\n{result.tail()}",
        )
    ctx.expect_error(block, [outputs.last_exception(result.output) or result.tail()])


@handles(CommandKind.PIP_INSTALL)
def _check_installed(
    ctx: PageContext, command: Command, block: Block, expect_failure: bool
) -> None:
    for text in command.args:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise BlockFailed("package-installed", "a package name", f"{text!r}: {exc}") from None
        problem = installed_problem(requirement)
        if problem:
            raise BlockFailed(
                "package-installed", f"{text} installed in the test environment", problem
            )
    ctx.record(CheckResult("package-installed", True), block)


@handles(CommandKind.STARTPROJECT, CommandKind.CD)
def _project_created(
    ctx: PageContext, command: Command, block: Block, expect_failure: bool
) -> None:
    # The harness made the project with startproject; the page names the same one.
    ctx.record(CheckResult("project-created", True), block)


@handles(CommandKind.MANAGE, shows_output=True)
def _run_manage(
    ctx: PageContext, command: Command, block: Block, expect_failure: bool
) -> CommandResult:
    collecting = command.args[0] == "collectstatic"
    extra = dict(command.env)
    # collectstatic reads the settings before it runs and checks its files after;
    # it changes no setting, so one read serves both.
    declared = ctx.project.declared_settings(extra) if collecting else {}
    if collecting:
        result = _collectstatic(ctx, command, block, declared)
    else:
        result = ctx.project.manage(command.args, stdin="yes\n", extra=extra)
    if expect_failure:
        return result
    if not result.ok:
        ctx.diagnose_settings(block)
        raise BlockFailed(
            "command-succeeds",
            f"`{command.text}` exits 0",
            f"exit code {result.returncode}:\n{result.tail()}",
        )
    ctx.record(CheckResult("command-succeeds", True), block)
    if collecting:
        ctx.collected = True
        root = declared.get("STATIC_ROOT")
        # Entries are folders or (prefix, folder) pairs, which JSON makes lists.
        dirs = [
            (entry[0], Path(entry[1])) if isinstance(entry, list) else ("", Path(entry))
            for entry in declared.get("STATICFILES_DIRS", [])
        ]
        static_root = Path(root) if root else None
        ctx.record(checks.collected_files_check(static_root, dirs), block)
    return result


def _collectstatic(
    ctx: PageContext, command: Command, block: Block, declared: dict[str, Any]
) -> CommandResult:
    """Run collectstatic, or reuse the result of an identical run on another page."""
    static_root = Path(str(declared.get("STATIC_ROOT") or ""))
    cache = ctx.factory.collect_cache
    extra = dict(command.env)
    run = partial(ctx.project.manage, command.args, stdin="yes\n", extra=extra)
    if not declared.get("STATIC_ROOT") or (static_root.exists() and any(static_root.iterdir())):
        return run()
    key = cache.key(ctx.project.root, (*command.args, *map("=".join, command.env)), declared)
    output = cache.get(key, ctx.project.root, static_root)
    if output is not None:
        ctx.record(CheckResult("collectstatic-reused", True), block)
        note_command(
            ctx.project.manage_argv(command.args), 0, output,
            "not run again: STATIC_ROOT and this output were copied from an identical "
            "collectstatic earlier in the same run (same files, settings and arguments)",
        )  # fmt: skip
        return CommandResult(tuple(command.args), 0, output)
    result = run()
    if result.ok:
        cache.put(key, ctx.project.root, static_root, result.output)
    return result


@handles(CommandKind.PYTHON_MODULE, shows_output=True)
def _run_python_module(
    ctx: PageContext, command: Command, block: Block, expect_failure: bool
) -> CommandResult:
    result = ctx.project.python_module(command.args, extra=dict(command.env))
    if not expect_failure:
        _require_success(ctx, command, block, result)
    return result


def _require_success(
    ctx: PageContext, command: Command, block: Block, result: CommandResult
) -> None:
    if not result.ok:
        raise BlockFailed(
            "command-succeeds",
            f"`{command.text}` exits 0",
            f"exit code {result.returncode}:\n{result.tail()}",
            server_output=ctx.server.output_tail() if ctx.server else "",
        )
    ctx.record(CheckResult("command-succeeds", True), block)


@handles(CommandKind.RUNSERVER)
def _check_development_server(
    ctx: PageContext, command: Command, block: Block, expect_failure: bool
) -> None:
    options = [arg for arg in command.args[1:] if arg.startswith("-")]
    declared = ctx.project.declared_settings(dict(command.env))
    uses_whitenoise = WHITENOISE_MIDDLEWARE in declared.get("MIDDLEWARE", [])
    ctx.development_checked = True
    addrport = [arg for arg in command.args[1:] if not arg.startswith("-")]
    server = ctx.start_server(
        command.text,
        command.kind,
        lambda port: ctx.project.manage_argv(
            ("runserver", *options, "--noreload", f"127.0.0.1:{port}")
        ),
        ctx.project.env(extra=dict(command.env)),
        shown_port=port_of(addrport[0]) if addrport else DEFAULT_PORT,
    )
    get = partial(request, server.port)
    try:
        for result in http_checks.development_http_checks(get, uses_whitenoise):
            ctx.record(result, block, server_output=server.output_tail())
    except (OSError, http.client.HTTPException) as exc:
        raise BlockFailed(
            "server-answers",
            "the server answers HTTP",
            str(exc),
            server_output=server.output_tail(),
        ) from None


@handles(CommandKind.GUNICORN)
def _start_gunicorn(ctx: PageContext, command: Command, block: Block, expect_failure: bool) -> None:
    args, bind = split_bind(command.args)
    ctx.start_server(
        command.text,
        command.kind,
        lambda port: [*ctx.project.gunicorn_argv(port, app=None), *args],
        ctx.project.env(extra=dict(command.env)),
        shown_port=port_of(bind) if bind else DEFAULT_PORT,
    )
    ctx.record(CheckResult("server-starts", True), block)


@handles(CommandKind.CURL, shows_output=True)
def _curl(ctx: PageContext, command: Command, block: Block, expect_failure: bool) -> CommandResult:
    if ctx.server is None:
        raise BlockFailed(
            "server-running",
            "a server started by an earlier command (runserver or gunicorn)",
            f"`{command.text}` with no server running",
        )
    curl = shutil.which("curl")
    if curl is None:
        raise BlockFailed("curl-installed", "curl on PATH", "curl is not installed")
    args = [
        re.sub(rf"\b(127\.0\.0\.1|localhost):{ctx.shown_port}\b", rf"\1:{ctx.server.port}", arg)
        for arg in command.args
    ]
    # In a terminal curl shows no progress meter; through a pipe it would.
    result = run_command(
        [curl, "--no-progress-meter", *args],
        cwd=ctx.project.root,
        env=ctx.project.env(extra=dict(command.env)),
    )
    _require_success(ctx, command, block, result)
    return result
