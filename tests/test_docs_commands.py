"""Every command the docs give an operator is one that exists and takes the options shown, and
no shell line hands its variables to only the first of two commands."""

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / ".env.example", *sorted((ROOT / "docs").glob("*.md"))]
MANAGE = re.compile(r"manage\.py ([a-z_]+)([^`\n&|;#]*)")
MAKE = re.compile(r"(?:^\s*|`)make ([a-z-]+)")
# `VAR=value cmd && cmd2`: the variables reach cmd only.
PREFIX_THEN_AND = re.compile(r"^\s*(?:[A-Z_]+=\S+\s+)+[^&\n]*&&[^\n]*manage\.py", re.M)


def _documented(pattern):
    for document in DOCUMENTS:
        for number, line in enumerate(document.read_text().splitlines(), 1):
            for found in pattern.finditer(line):
                yield f"{document.name}:{number}", found


def _manage_commands():
    return list(_documented(MANAGE))


def test_the_docs_name_commands_at_all():
    assert len(_manage_commands()) > 30


@pytest.mark.parametrize(
    ("where", "command", "arguments"),
    [(where, found.group(1), found.group(2)) for where, found in _manage_commands()],
)
def test_every_documented_manage_command_exists_with_its_options(where, command, arguments):
    commands = get_commands()
    assert command in commands, f"{where}: manage.py {command} does not exist"
    parser = load_command_class(commands[command], command).create_parser("manage.py", command)
    known = {option for action in parser._actions for option in action.option_strings}
    try:
        words = shlex.split(arguments.replace("...", "x"))
    except ValueError:
        words = arguments.split()
    for word in words:
        option = word.split("=")[0]
        if option.startswith("--"):
            assert option in known, f"{where}: manage.py {command} has no {option}"


def test_every_documented_make_target_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, re.M))
    for where, found in _documented(MAKE):
        assert found.group(1) in targets, f"{where}: make {found.group(1)}"


def test_no_shell_line_gives_its_variables_to_only_the_first_command():
    for document in DOCUMENTS:
        text = document.read_text().replace("\\\n", " ")
        assert not PREFIX_THEN_AND.search(text), (document.name, PREFIX_THEN_AND.search(text))
