"""The README's two commands are the ones the Makefile and CI actually run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_opens_with_the_run_and_test_commands():
    head = (ROOT / "README.md").read_text().splitlines()[:8]

    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci/run").read_text()

    assert re.search(r"^make test$", ci, re.MULTILINE)


def test_makefile_targets_call_the_scripts():
    makefile = (ROOT / "Makefile").read_text()

    assert "run:\n\tscripts/run.sh" in makefile
    assert "test:\n\tscripts/test.sh" in makefile
