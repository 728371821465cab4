"""Test modules share data and helpers through modules of their own (tests/journeys.py,
tests/staff.py, tests/servers.py, tests/browser/pages.py ...), never by importing another
test module or a conftest: a test file can then be renamed or removed without breaking others."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
IMPORT_OF_A_TEST_MODULE = re.compile(
    r"^\s*from\s+(?:\.+|tests\.)(?:[\w.]*\.)?(test_\w+|conftest)\s+import", re.MULTILINE
)


def test_no_test_module_imports_another_test_module_or_a_conftest():
    offenders = {
        str(path.relative_to(TESTS)): IMPORT_OF_A_TEST_MODULE.findall(path.read_text())
        for path in TESTS.rglob("*.py")
    }

    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_check_recognises_such_an_import():
    assert IMPORT_OF_A_TEST_MODULE.findall("from .test_journey import walk\n") == ["test_journey"]
    assert IMPORT_OF_A_TEST_MODULE.findall("    from ..conftest import x\n") == ["conftest"]
    assert not IMPORT_OF_A_TEST_MODULE.findall("from .journeys import walk\n")
