"""Shell blocks become commands the harness can run, or a clear refusal."""

from __future__ import annotations

import pytest

from docs_harness.harness.commands import CommandError, read_shell_block


def test_commands_are_read_with_their_line():
    commands = read_shell_block(
        '# install\npython -m pip install "whitenoise[brotli]"\n\npython manage.py collectstatic \\\n  --noinput\n',
        "bash",
    )
    assert [(c.kind, c.args, c.line) for c in commands] == [
        ("pip-install", ("whitenoise[brotli]",), 2),
        ("manage", ("collectstatic", "--noinput"), 4),
    ]


def test_runserver_is_its_own_kind():
    [command] = read_shell_block("$ python manage.py runserver --nostatic\n", "console")
    assert command.kind == "runserver" and command.args == ("runserver", "--nostatic")


def test_an_unknown_command_is_refused_with_what_is_supported():
    with pytest.raises(
        CommandError, match="does not know how to run 'rm -rf staticfiles'"
    ) as error:
        read_shell_block("python manage.py check\nrm -rf staticfiles\n", "bash")
    assert error.value.line == 2


def test_console_output_belongs_to_the_command_above_it():
    first, second = read_shell_block(
        "$ python manage.py check\n\nSystem check identified no issues (0 silenced).\n\n"
        "$ curl -I http://127.0.0.1:8000/\nHTTP/1.1 200 OK\n",
        "console",
    )
    assert first.output == ("System check identified no issues (0 silenced).",)
    assert first.output_lines == (3, 3)
    assert (second.kind, second.output, second.output_lines) == (
        "curl",
        ("HTTP/1.1 200 OK",),
        (6, 6),
    )


def test_text_before_the_first_command_is_refused():
    with pytest.raises(CommandError, match="before any") as error:
        read_shell_block("hello\n$ python manage.py check\n", "console")
    assert error.value.line == 1


def test_environment_assignments_and_servers_are_read():
    (command,) = read_shell_block("SCRIPT_NAME=/app gunicorn mysite.wsgi -b 0:8000\n", "bash")
    assert (command.kind, command.env, command.args) == (
        "gunicorn",
        (("SCRIPT_NAME", "/app"),),
        ("mysite.wsgi", "-b", "0:8000"),
    )
