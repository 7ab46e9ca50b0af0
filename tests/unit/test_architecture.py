"""The walls between packages are checked, not hoped for: import-linter contracts of pyproject.toml."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from shared.messaging.topology import SUBSCRIPTIONS
from shared.schemas.events import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_every_event_type_has_a_subscriber_so_none_is_unroutable():
    subscribed = {event_type for types in SUBSCRIPTIONS.values() for event_type in types}
    assert set(EVENT_TYPES) <= subscribed, f"no queue is bound for {set(EVENT_TYPES) - subscribed}"


def test_subscriptions_name_only_known_event_types():
    for service, types in SUBSCRIPTIONS.items():
        assert set(types) <= set(EVENT_TYPES), f"{service} subscribes to unknown types {set(types) - set(EVENT_TYPES)}"


def test_each_service_handles_exactly_what_it_subscribes_to():
    import importlib

    for service, types in SUBSCRIPTIONS.items():
        handlers = importlib.import_module(f"services.{service}.handlers").HANDLERS
        assert set(handlers) == set(types), f"{service}: HANDLERS {sorted(handlers)} != subscriptions {sorted(types)}"


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_test_data_builders_come_from_tests_factories_not_from_unit_tests():
    # Integration, reliability and end-to-end tests (and benchmarks) share builders through
    # tests/factories; reaching into tests/unit ties them to another layer's test modules.
    unit = ROOT / "tests" / "unit"
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name for name in _imported_modules(path) if name == "tests.unit" or name.startswith("tests.unit.")
        )
        for folder in ("tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if unit not in path.parents
    }
    assert {path: names for path, names in offenders.items() if names} == {}
