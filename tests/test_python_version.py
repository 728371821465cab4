"""The machine's default Python 3.11 must fail loudly, never fall back to an older Django."""

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_project_declares_python_312_and_django_61():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert project["requires-python"] == ">=3.12"
    assert "Django>=6.1,<6.2" in project["dependencies"]


def test_importing_the_project_on_python_311_fails_with_a_clear_message():
    python311 = shutil.which("python3.11")
    if python311 is None:
        pytest.skip("no Python 3.11 on this machine to try")

    result = subprocess.run(
        [python311, "-c", "import safer_derbyshire"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "needs Python 3.12 or newer" in result.stderr
