"""Shell blocks become commands the harness can run, or a clear refusal."""

from __future__ import annotations

import pytest

from tests.harness.commands import CommandError, read_shell_block


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


def test_console_output_is_not_silently_ignored():
    with pytest.raises(CommandError, match="output") as error:
        read_shell_block("$ python manage.py check\nSystem check identified no issues\n", "console")
    assert error.value.line == 2
