"""The door page's pure parts: what a check-in answer shows, how a door link reads, the fake camera's video."""

from __future__ import annotations

import runpy

import pytest

from services.console.door import outcomes
from services.console.door.links import TITLE_IN_LINK, door_link, read_door_link
from services.notification.content.qr_image import qr_png
from tests.fixtures.fake_camera import HEIGHT, WIDTH, png_to_gray, qr_frame, write_y4m
from tests.fixtures.processes import REPO_ROOT

RINA = {
    "registration_id": "5f0c6f3e-0000-4000-8000-000000000001",
    "checked_in_at": "2031-12-01T01:42:10+00:00",
    "full_name": "Rina Wulandari",
    "agency_name": "Dinas Komunikasi dan Informatika Provinsi Jawa Barat",
    "attendance_mode": "in_person",
}


def test_first_scan_is_green_with_name_agency_mode_and_undo():
    outcome = outcomes.checked_in({**RINA, "already_checked_in": False}, timezone="Asia/Jakarta", locale="id")
    assert outcome.colour == "green"
    assert outcome.headline == "Berhasil check-in"
    assert outcome.lines == ["Rina Wulandari", "Dinas Komunikasi dan Informatika Provinsi Jawa Barat", "tatap muka"]
    assert outcome.undo_id == RINA["registration_id"]
    assert outcome.as_json()["signal"] == "ok"


@pytest.mark.parametrize(
    ("timezone", "locale", "headline"),
    [
        ("Asia/Jakarta", "id", "Sudah check-in pukul 08.42 WIB"),
        ("Asia/Makassar", "id", "Sudah check-in pukul 09.42 WITA"),
        ("Asia/Jayapura", "en", "Already checked in at 10:42 WIT"),
        # Outside Indonesia the zone is written as participants read it in their mail (shared.local_time).
        ("Europe/Amsterdam", "en", "Already checked in at 02:42 CET"),
    ],
)
def test_second_scan_is_amber_with_the_first_time_in_the_meetings_zone(timezone, locale, headline):
    outcome = outcomes.checked_in({**RINA, "already_checked_in": True}, timezone=timezone, locale=locale)
    assert outcome.colour == "amber"
    assert outcome.headline == headline


@pytest.mark.parametrize(
    ("reason", "headline"),
    [
        ("cancelled", "Pendaftaran dibatalkan"),
        ("waitlisted", "Daftar tunggu"),
        ("online", "Peserta daring"),
        ("not_this_meeting", "Bukan rapat ini"),
        (None, "Kode tidak dikenal"),
        ("something_new", "Kode tidak dikenal"),
    ],
)
def test_refusals_are_red_and_say_why(reason, headline):
    outcome = outcomes.refused(reason, locale="id")
    assert (outcome.colour, outcome.headline, outcome.undo_id) == ("red", headline, None)


def test_refusals_in_english():
    assert outcomes.refused("waitlisted", locale="en").headline == "On the waiting list"


def test_door_link_reads_back_its_parts():
    link = door_link("https://rakor.kominfo.go.id/", "5f0c6f3e-aaaa-4000-8000-000000000001", "dt_Zx9-kQ2_abcdefghijklmnop", "Pintu 1")
    assert link == ("https://rakor.kominfo.go.id/door/dt_Zx9-kQ2_abcdefghijklmnop?event=5f0c6f3e-aaaa-4000-8000-000000000001&label=Pintu+1")
    parsed = read_door_link(f"  {link} ")
    assert (parsed.token, parsed.event_id, parsed.label) == (
        "dt_Zx9-kQ2_abcdefghijklmnop",
        "5f0c6f3e-aaaa-4000-8000-000000000001",
        "Pintu 1",
    )


def test_door_link_carries_the_meeting_title_shortened_for_the_qr():
    title = "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas: Tantangan Pranata Humas di Era Disrupsi Informasi"
    link = door_link("https://rakor.kominfo.go.id", "5f0c6f3e-aaaa-4000-8000-000000000001", "dt_Zx9-kQ2_abcdefghijklmnop", "Pintu 1", title)
    parsed = read_door_link(link)
    assert parsed.label == "Pintu 1"
    assert len(parsed.title) <= TITLE_IN_LINK and parsed.title.endswith("…") and title.startswith(parsed.title[:-1])
    short = read_door_link(door_link("https://x", "5f0c6f3e-aaaa-4000-8000-000000000001", "dt_Zx9-kQ2_abcdefghijklmnop", "", "Rakor Humas"))
    assert (short.label, short.title) == ("", "Rakor Humas")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "dt_Zx9-kQ2_abcdefghijklmnop",
        "https://x/door/short?event=1",
        "https://x/door/dt_Zx9-kQ2_abcdefghijklmnop",
        "https://x/other/dt_Zx9-kQ2_abcdefghijklmnop?event=1",
    ],
)
def test_what_is_not_a_door_link_is_refused(text):
    assert read_door_link(text) is None


def test_fake_camera_frame_holds_the_mailed_qr_scaled_and_centred(tmp_path):
    gray = png_to_gray(qr_png("ABCD2345"))
    frame = qr_frame(gray)
    scale = int(min(WIDTH * 0.8 / len(gray[0]), HEIGHT * 0.8 / len(gray)))
    left, top = (WIDTH - len(gray[0]) * scale) // 2, (HEIGHT - len(gray) * scale) // 2
    assert scale >= 2
    for y in range(0, len(gray), 7):
        for x in range(0, len(gray[0]), 5):
            assert frame[(top + y * scale + scale // 2) * WIDTH + left + x * scale + scale // 2] == gray[y][x]
    assert frame[0] == 255 and frame[-1] == 255  # white around it
    video = write_y4m(tmp_path / "cam.y4m", frame, frames=3).read_bytes()
    header, _, rest = video.partition(b"\n")
    assert header == b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg"
    frame_bytes = len(b"FRAME\n") + WIDTH * HEIGHT * 3 // 2
    assert len(rest) == 3 * frame_bytes and rest.count(b"FRAME\n") >= 3


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/door/dt_Zx9-kQ2_abcdefghijklmnop", "/door/<token>"),
        ("/door/summary", "/door/summary"),
        ("/door/check-ins", "/door/check-ins"),
        ("/door/sign-in", "/door/sign-in"),
        ("/door/check-ins/5f0c6f3e-aaaa-4000-8000-000000000001/undo", "/door/check-ins/5f0c6f3e-aaaa-4000-8000-000000000001/undo"),
        ("/door/assets/vendor/jsQR.js", "/door/assets/vendor/jsQR.js"),
        ("/j/Zr4nd0mJ0inT0kenOfBudi", "/j/<token>"),
        ("/healthz", "/healthz"),
    ],
)
def test_access_log_never_shows_a_door_links_token(monkeypatch, tmp_path, path, shown):
    # The settings file sets this variable for its workers; set here, it is restored after the test.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setattr("sys.argv", ["gunicorn", "--config", "deploy/gunicorn.conf.py", "services.streaming.app:create_app()"])
    conf = runpy.run_path(str(REPO_ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["redacted_path"](path) == shown
