"""The walls between packages are checked, not hoped for: import-linter contracts of pyproject.toml."""
from __future__ import annotations

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
