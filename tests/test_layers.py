"""The referrals app's layers import downwards only: the services and stores that keep
referrals never reach up into the public journey's views and their helpers, and the intake
store is handed what it writes rather than calling up into the services."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "referrals"
# The public journey's HTTP edge: views and what only they should use.
PUBLIC_EDGE = {"views", "throttle", "journey", "journey_state", "forms", "mailbox_forms"}
MAY_NOT_IMPORT = {
    "services": PUBLIC_EDGE,
    "mailbox": PUBLIC_EDGE,
    "rate_limits": PUBLIC_EDGE | {"services", "mailbox", "notifications"},
    "answer_rules": PUBLIC_EDGE | {"services", "models"},
    "intake_store": PUBLIC_EDGE | {"services", "mailbox", "notifications", "casework"},
    "audit": PUBLIC_EDGE | {"services"},
    "guessing": PUBLIC_EDGE | {"services", "mailbox"},
}


def imported(module: str) -> set[str]:
    """The referrals modules `module` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse((APP / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                names.add(node.module.split(".")[0])
            elif node.level == 1:
                names.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("referrals."):
                names.add(node.module.split(".")[1])
            elif node.module == "referrals":
                names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("module", sorted(MAY_NOT_IMPORT))
def test_a_lower_layer_does_not_import_upwards(module):
    assert imported(module) & MAY_NOT_IMPORT[module] == set()


def test_the_check_sees_imports_inside_functions():
    assert "notifications" in imported("services")
    assert "rate_limits" in imported("journey_state")  # purge_stale imports it where it runs
