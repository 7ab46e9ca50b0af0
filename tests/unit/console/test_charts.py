"""The seats bar and the per-agency bars are drawn right, read without colour, and escape what they show."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from services.console.domain.charts import BAR_WIDTH, WAITLIST_MAX_WIDTH, agency_bars, seats_bar, seats_figure

SVG = "{http://www.w3.org/2000/svg}"
SERIES = {"registered": "Terdaftar", "confirmed": "Terkonfirmasi", "checked_in": "Hadir", "joined_online": "Bergabung daring"}


def test_taken_seats_fill_their_share_of_the_bar():
    figure = seats_figure(taken=3, capacity=12, waitlisted=0)
    assert figure.taken_width == BAR_WIDTH / 4
    assert figure.free_width == BAR_WIDTH * 3 / 4
    assert figure.waitlist_width == 0


def test_a_full_meeting_fills_the_bar_and_shows_its_waitlist_beside_it():
    figure = seats_figure(taken=10, capacity=10, waitlisted=2)
    assert figure.taken_width == BAR_WIDTH and figure.free_width == 0
    assert figure.waitlist_width == BAR_WIDTH / 10 * 2


def test_a_long_waitlist_is_capped_and_a_short_one_stays_visible():
    assert seats_figure(taken=10, capacity=10, waitlisted=500).waitlist_width == WAITLIST_MAX_WIDTH
    assert seats_figure(taken=1000, capacity=1000, waitlisted=1).waitlist_width >= 6


def test_a_meeting_without_seats_draws_an_empty_bar():
    figure = seats_figure(taken=0, capacity=0, waitlisted=3)
    assert figure.taken_width == 0 and figure.waitlist_width > 0


def test_seats_bar_is_valid_svg_with_its_text_for_screen_readers():
    svg = seats_bar(4, 5, 1, "4 dari 5 kursi terisi, 1 daftar tunggu", uid="abc")
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "4 dari 5 kursi terisi, 1 daftar tunggu"
    assert root.find(f"{SVG}title").text == "4 dari 5 kursi terisi, 1 daftar tunggu"
    classes = [rect.get("class") for rect in root.iter(f"{SVG}rect") if rect.get("class")]
    assert classes == ["taken", "waitlist"]
    # The waitlist is hatched, so it differs from the taken seats in grayscale too.
    assert next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "waitlist").get("fill") == "url(#wl-abc)"


def test_seats_bar_has_no_inline_style_that_the_content_security_policy_would_block():
    assert "style" not in seats_bar(1, 2, 0, "x")


def test_agency_bars_scale_to_the_largest_number_and_write_every_number():
    rows = [
        {"agency_name": "Diskominfo Prov. Jawa Barat", "registered": 10, "confirmed": 8, "checked_in": 5, "joined_online": 2},
        {"agency_name": "Biro Humas Kemenkominfo", "registered": 5, "confirmed": 5, "checked_in": 0, "joined_online": 0},
    ]
    root = ET.fromstring(agency_bars(rows, SERIES, "Per instansi"))
    bars = {(r.get("class"), r.find(f"{SVG}title").text): float(r.get("width")) for r in root.iter(f"{SVG}rect")}
    assert bars[("registered", "Terdaftar: 10")] == 340
    assert bars[("registered", "Terdaftar: 5")] == 170
    assert bars[("checked_in", "Hadir: 5")] == 170
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[:5] == ["Diskominfo Prov. Jawa Barat", "10", "8", "5", "2"]


def test_agency_names_are_escaped():
    svg = agency_bars([{"agency_name": "<script>alert(1)</script> & Co", "registered": 1}], SERIES, "a")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)
