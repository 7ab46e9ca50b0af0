"""`make openapi` (deploy/export_openapi.py): the committed spec is the app's, written stably, and --check names drift."""

from __future__ import annotations

import json

import pytest

from deploy import export_openapi
from shared.settings import SERVICES


@pytest.mark.parametrize("service", SERVICES)
def test_export_writes_the_spec_the_app_serves_with_sorted_keys_and_a_trailing_newline(service, tmp_path, capsys):
    (tmp_path / "services" / service).mkdir(parents=True)
    assert export_openapi.export((service,), root=tmp_path) == 0
    text = (tmp_path / "services" / service / "openapi.json").read_text(encoding="utf-8")
    spec = json.loads(text)
    assert text == json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert spec["openapi"].startswith("3.")
    assert any(path.startswith("/v1/") for path in spec["paths"])
    assert f"{service}: wrote services/{service}/openapi.json" in capsys.readouterr().out


def test_check_passes_when_the_committed_spec_matches_and_rebuilding_is_stable(tmp_path):
    (tmp_path / "services" / "streaming").mkdir(parents=True)
    export_openapi.export(("streaming",), root=tmp_path)
    assert export_openapi.export(("streaming",), root=tmp_path, check=True) == 0


def test_check_fails_naming_the_service_whose_committed_spec_differs(tmp_path, capsys):
    for service in ("registration", "notification"):
        (tmp_path / "services" / service).mkdir(parents=True)
    export_openapi.export(("registration", "notification"), root=tmp_path)
    committed = tmp_path / "services" / "notification" / "openapi.json"
    spec = json.loads(committed.read_text(encoding="utf-8"))
    spec["info"]["title"] = "Edited by hand"
    committed.write_text(export_openapi.render_spec(spec), encoding="utf-8")
    capsys.readouterr()

    assert export_openapi.export(("registration", "notification"), root=tmp_path, check=True) == 1
    err = capsys.readouterr().err
    assert "notification: services/notification/openapi.json differs from the app" in err
    assert "registration:" not in err
    assert json.loads(committed.read_text(encoding="utf-8"))["info"]["title"] == "Edited by hand"


def test_check_fails_when_the_spec_was_never_committed(tmp_path, capsys):
    (tmp_path / "services" / "registration").mkdir(parents=True)
    assert export_openapi.export(("registration",), root=tmp_path, check=True) == 1
    assert "registration: services/registration/openapi.json is missing" in capsys.readouterr().err


def test_a_service_that_does_not_exist_yet_is_skipped_with_a_message(tmp_path, capsys):
    assert export_openapi.export(("videoconference",), root=tmp_path) == 0
    assert "videoconference: skipped" in capsys.readouterr().out
    assert not (tmp_path / "services").exists()
