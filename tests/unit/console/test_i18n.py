"""The console's catalogue: every text in both languages, every key used by a template exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.console.i18n import CATALOGUE, normalize_locale, translate

TEMPLATES = Path(__file__).resolve().parents[3] / "services" / "console" / "templates"
VIEWS = Path(__file__).resolve().parents[3] / "services" / "console"


def test_indonesian_is_the_default_and_english_is_the_switch():
    assert translate("nav.agencies") == "Instansi"
    assert translate("nav.agencies", "en") == "Agencies"
    assert translate("status.waitlisted") == "Daftar tunggu"


def test_unknown_locales_fall_back_to_indonesian():
    assert normalize_locale("fr") == "id" and normalize_locale(None) == "id" and normalize_locale("en") == "en"


def test_placeholders_are_filled_in_both_languages():
    assert (
        translate("confirm.notify", "id", count=143) == "Perubahan waktu atau tempat ini akan dikirim ke 143 peserta melalui surel dan SMS."
    )
    assert "143 participants" in translate("confirm.notify", "en", count=143)


def test_every_entry_has_both_languages_with_the_same_placeholders():
    for key, (indonesian, english) in CATALOGUE.items():
        assert indonesian and english, key
        assert set(re.findall(r"{(\w+)}", indonesian)) == set(re.findall(r"{(\w+)}", english)), key


def test_the_notification_outage_message_is_the_agreed_wording():
    assert (
        translate("error.down.notification") == "Layanan notifikasi sedang tidak dapat dihubungi; data pendaftaran tetap aman. Coba lagi."
    )


def test_unknown_key_is_an_error_not_a_silent_blank():
    with pytest.raises(KeyError):
        translate("no.such.key")


def test_every_literal_key_in_templates_and_views_exists():
    used = set()
    for path in [*TEMPLATES.rglob("*.html"), *VIEWS.rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        # A literal key only: "status." ~ value is a prefix put together at render time.
        used |= set(re.findall(r"""_\(\s*["']([a-z_]+\.[a-z_.]*[a-z_])["']""", text))
        used |= set(re.findall(r"""translate\(\s*["']([a-z_]+\.[a-z_.]*[a-z_])["']""", text))
        used |= set(re.findall(r"""notice=["']([a-z_]+\.[a-z_]+)["']""", text))
    assert used, "the pattern found no keys"
    assert sorted(used - set(CATALOGUE)) == []


def test_every_value_the_apis_return_has_words_in_both_languages():
    from services.console.views.agencies import KINDS
    from services.console.views.messages import CHANNELS, STATUSES
    from services.console.views.streaming import KINDS as CHANNEL_KINDS

    expected = (
        [f"status.{s}" for s in ("confirmed", "waitlisted", "cancelled")]
        + [f"mode.{m}" for m in ("in_person", "online")]
        + [f"kind.{k}" for k in KINDS]
        + [f"nstatus.{s}" for s in STATUSES]
        + [f"channel.{c}" for c in CHANNELS]
        + [f"streaming.{k}" for k in CHANNEL_KINDS]
        + [f"meeting.status.{s}" for s in ("scheduled", "cancelled")]
        + [
            f"mkind.{k}"
            for k in (
                "confirmed",
                "promoted",
                "waitlisted",
                "cancelled",
                "mode_changed",
                "link_issued",
                "meeting_updated",
                "bulk_summary",
                "agency_digest",
            )
        ]
        + [f"col.{c}" for c in ("registered", "confirmed", "checked_in", "joined_online")]
    )
    assert [key for key in expected if key not in CATALOGUE] == []
