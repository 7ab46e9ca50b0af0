"""Every mail as a participant's mail client shows it: parsed from its MIME, opened in headless Chromium.

The organizer's logo and the check-in QR are resolved from their `cid:` parts (as a client does), never fetched; the page must fit a
360 px phone and a 1280 px desk without horizontal scrolling, show its images, request nothing from the
network, and switch to light text on a dark page when the reader's system is in dark mode.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import re
from email import policy
from pathlib import Path

import pytest

from services.notification.content.invitation import build_invitation
from services.notification.content.mail_message import build_email
from services.notification.content.qr_image import qr_png
from services.notification.content.rendering import LOCALES, Renderer
from services.notification.domain.digest import (
    AGENCY_DIGEST,
    BULK_SUMMARY,
    agency_recipient,
    build_digest,
    bulk_summary,
    digest_item,
    letterhead_meeting,
)
from services.notification.domain.letterhead import from_header, organizer_of
from services.notification.domain.messages import KINDS, Recipient, build_context, plan_messages
from tests.factories.images import make_png
from tests.factories.notification import (
    CERTIFICATE,
    make_agency,
    make_bulk_processed,
    make_cancellation,
    make_meeting,
    make_participant,
    make_registration,
)

ORGANIZER = {
    "name": "Kementerian Komunikasi dan Informatika",
    "unit": "Direktorat Jenderal Informasi dan Komunikasi Publik",
    "signatory_name": "Usman Kansong",
    "signatory_title": "Direktur Jenderal Informasi dan Komunikasi Publik",
}
LOGO = make_png(96, 96)
LINKS = {
    "join_url": "https://rakor.example.go.id/j/Zx8kQ2mV7pLr4sT9wB1nY6cH3dF5gJ0aE2uI8oK4qW7e",
    "youtube_url": "https://www.youtube.com/watch?v=ditjenikp2021",
    "channel_kinds": ["zoom", "youtube"],
    "zoom_meeting_id": "81234567890",
    "waitlist_position": 3,
    "reason": "Bertepatan dengan agenda pimpinan",
    "changed_fields": ["starts_at"],
    "link_pending": False,
    "certificate": CERTIFICATE,
}


def _mime(kind: str, locale: str, attendance_mode: str) -> email.message.EmailMessage:
    recipient = Recipient(
        "reg-browser",
        "Raden Ajeng Siti Nurhaliza Kusumawardhani",
        "siti.kusumawardhani@jatengprov.go.id",
        "+6281390001234",
        locale,
        attendance_mode,
        "confirmed",
        "K7Q2XP" if attendance_mode == "in_person" and kind != "certificate" else None,
    )  # as the certificate audience builds it: no check-in code on a certificate
    [message] = [m for m in plan_messages(kind, [recipient]) if m.channel == "email"]
    # As audience.py does: only online participants' messages carry the links.
    extra = dict(LINKS) if attendance_mode == "online" else {k: v for k, v in LINKS.items() if k not in ("join_url", "youtube_url")}
    context = build_context(message, make_meeting(organizer=ORGANIZER, sequence=1), extra=extra)
    context["organizer"] = organizer_of(context["meeting"], {"name": "Rakor"})
    context["has_logo"] = True
    rendered = Renderer().email(context)
    sender = from_header("Rakor <no-reply@rakor.go.id>", context["organizer"])
    built = build_email(
        rendered,
        sender=sender,
        to_name=recipient.full_name,
        to_address=recipient.email,
        message_key="n-1",
        calendar=build_invitation(context, organizer=sender) if context["calendar"] else None,
        calendar_method=(context["calendar"] or {}).get("method"),
        qr_png=qr_png("K7Q2XP") if rendered.wants_qr else None,
        logo=("image/png", LOGO),
    )
    return email.message_from_bytes(built.as_bytes(), policy=policy.default)


def _page_as_a_client_shows_it(parsed: email.message.EmailMessage, directory: Path, name: str) -> Path:
    """The HTML part with every cid: reference replaced by its inline part's bytes; fails on a dangling cid."""
    html = parsed.get_body(("html",)).get_content()
    inline = {part["Content-ID"].strip("<>"): part for part in parsed.walk() if part["Content-ID"]}
    referenced = set(re.findall(r'src="cid:([^"]+)"', html))
    assert referenced <= set(inline), f"cid references without an inline part: {referenced - set(inline)}"
    for cid in referenced:
        part = inline[cid]
        assert part.get_content_disposition() == "inline"
        data = base64.b64encode(part.get_content()).decode()
        html = html.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    path = directory / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


def _measure(browser, width: int) -> dict:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600}
    )
    return browser.execute_script(
        "const imgs = [...document.images];"
        "return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " images: imgs.length, broken: imgs.filter(i => !i.complete || i.naturalWidth === 0).length,"
        " requested: performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:'))};"
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_every_mail_fits_a_phone_and_a_desk_shows_its_images_and_fetches_nothing(browser, tmp_path, locale):
    for kind in KINDS:
        for mode in ("in_person", "online"):
            parsed = _mime(kind, locale, mode)
            assert "Direktorat Jenderal Informasi dan Komunikasi Publik" in str(parsed["From"])
            page = _page_as_a_client_shows_it(parsed, tmp_path, f"{kind}-{mode}")
            html = page.read_text(encoding="utf-8")
            assert not re.search(r'(src|background)=["\']https?:', html) and "url(http" not in html
            browser.get(page.as_uri())
            for width in (360, 1280):
                seen = _measure(browser, width)
                where = f"{locale} {kind} {mode} at {width}px"
                # Against the device width, not innerWidth: a phone browser widens its layout viewport to fit
                # an over-wide page (zooming out), so innerWidth would grow with the overflow.
                assert seen["scroll"] <= width and seen["inner"] == width, f"{where}: {seen['scroll']}px wide, window {seen['inner']}px"
                assert seen["broken"] == 0, f"{where}: an image did not load"
                assert seen["requested"] == [], f"{where}: requested {seen['requested']}"
            # The organizer's logo in every letterhead, and the check-in QR where one is due.
            with_qr = any(p["Content-ID"] == "<checkin-qr>" for p in parsed.walk())
            assert seen["images"] == (2 if with_qr else 1), f"{locale} {kind} {mode}: {seen['images']} images"
            if kind in ("confirmed", "reminder"):
                assert with_qr == (mode == "in_person"), f"{locale} {kind} {mode}: the check-in QR is wrongly present or missing"
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_dark_mode_turns_the_page_dark_and_the_text_light(browser, tmp_path):
    page = _page_as_a_client_shows_it(_mime("confirmed", "id", "in_person"), tmp_path, "dark")
    browser.get(page.as_uri())
    colours = "const s = getComputedStyle(document.querySelector('.page')); return [s.backgroundColor, s.color];"
    assert browser.execute_script(colours) == ["rgb(255, 255, 255)", "rgb(31, 41, 51)"]
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    assert browser.execute_script(colours) == ["rgb(17, 24, 39)", "rgb(229, 231, 235)"]


def test_screenshots_of_a_confirmation_on_a_phone(browser, tmp_path, screenshots):
    for mode in ("in_person", "online"):
        page = _page_as_a_client_shows_it(_mime("confirmed" if mode == "in_person" else "link_issued", "id", mode), tmp_path, mode)
        browser.get(page.as_uri())
        paths = screenshots.take(f"mail-{mode}")
        assert all(p.stat().st_size > 10_000 for p in paths)


# ----- the agency's mail -------------------------------------------------------------------------
def _agency_mime(kind: str, locale: str, *, meetings: int = 2) -> email.message.EmailMessage:
    """The digest (of one meeting, under its logo, or of two, under the default letterhead) or the bulk summary, as sent."""
    meeting = make_meeting(organizer=ORGANIZER, sequence=1)
    later = make_meeting(
        id="evt-bimtek-2021",
        title="Bimbingan Teknis Penulisan Siaran Pers bagi Pranata Humas",
        starts_at="2021-12-08T13:00:00+07:00",
        ends_at="2021-12-08T16:30:00+07:00",
        organizer=ORGANIZER,
    )
    moment = dt.datetime(2021, 11, 25, 3, 0, tzinfo=dt.UTC)
    person = lambda name, position: make_participant(full_name=name, position=position)  # noqa: E731
    items = [
        digest_item(
            "registration.confirmed",
            make_registration(participant=person("Raden Ajeng Siti Nurhaliza Kusumawardhani", "Pranata Humas Ahli Madya"), meeting=meeting),
            moment,
        ),
        digest_item(
            "registration.waitlisted",
            make_registration(
                "waitlisted", waitlist_position=2, participant=person("Budi Santoso", "Pranata Humas Ahli Muda"), meeting=meeting
            ),
            moment + dt.timedelta(minutes=4),
        ),
        digest_item(
            "registration.mode_changed",
            make_registration(
                attendance_mode="online", previous_mode="in_person", participant=person("Agus Wibowo", "Analis Kebijakan"), meeting=meeting
            ),
            moment + dt.timedelta(minutes=9),
        ),
        digest_item(
            "registration.promoted",
            make_registration(participant=person("Budi Santoso", "Pranata Humas Ahli Muda"), meeting=meeting),
            moment + dt.timedelta(minutes=9, seconds=1),
        ),
        digest_item(
            "registration.cancelled",
            make_cancellation(make_registration(participant=person("Hendra Gunawan", None), meeting=meeting)),
            moment + dt.timedelta(minutes=15),
        ),
        digest_item(
            "registration.confirmed",
            make_registration(
                attendance_mode="online",
                participant=person("Yuliani Kartika Sari", "Pranata Humas Ahli Pertama"),
                meeting=later,
                event_id=later["id"],
            ),
            moment + dt.timedelta(minutes=31),
        ),
    ][: 5 if meetings == 1 else 6]
    agency = make_agency(
        name="Dinas Komunikasi dan Informatika Provinsi Jawa Tengah", contact_email="kepegawaian@diskominfo.jatengprov.go.id", locale=locale
    )
    [message] = plan_messages(kind, [agency_recipient(agency)], ("email",))
    if kind == AGENCY_DIGEST:
        digest = build_digest(items)
        context = build_context(message, letterhead_meeting(digest["meetings"]), extra={"digest": digest})
    else:
        context = build_context(message, meeting, extra={"bulk": bulk_summary(make_bulk_processed())})
    context["organizer"] = organizer_of(context["meeting"], ORGANIZER)
    # As the courier does: a logo belongs to a meeting, so a digest of several meetings goes without one.
    context["has_logo"] = bool(context["meeting"]["id"])
    rendered = Renderer().email(context)
    sender = from_header("Rakor <no-reply@rakor.go.id>", context["organizer"])
    logo = ("image/png", LOGO) if context["has_logo"] else None
    built = build_email(rendered, sender=sender, to_name=agency["name"], to_address=agency["contact_email"], message_key="n-2", logo=logo)
    return email.message_from_bytes(built.as_bytes(), policy=policy.default)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_agency_digest_and_bulk_summary_fit_a_phone_and_a_desk_and_fetch_nothing(browser, tmp_path, locale):
    for kind, meetings in ((AGENCY_DIGEST, 1), (AGENCY_DIGEST, 2), (BULK_SUMMARY, 1)):
        parsed = _agency_mime(kind, locale, meetings=meetings)
        assert parsed.get_body(("plain",)) is not None
        page = _page_as_a_client_shows_it(parsed, tmp_path, f"{kind}-{meetings}-{locale}")
        browser.get(page.as_uri())
        for width in (360, 1280):
            seen = _measure(browser, width)
            where = f"{locale} {kind} at {width}px"
            assert seen["scroll"] <= width and seen["inner"] == width, f"{where}: {seen['scroll']}px wide, window {seen['inner']}px"
            assert seen["broken"] == 0 and seen["requested"] == [], f"{where}: {seen}"
            assert seen["images"] == (0 if kind == AGENCY_DIGEST and meetings == 2 else 1), f"{where}: {seen['images']} images"
        text = browser.find_element("tag name", "body").text
        assert "Kementerian Komunikasi dan Informatika".upper() in text.upper()
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_screenshot_of_an_agency_digest_on_a_phone(browser, tmp_path, screenshots):
    page = _page_as_a_client_shows_it(_agency_mime(AGENCY_DIGEST, "id", meetings=1), tmp_path, "digest")
    browser.get(page.as_uri())
    paths = screenshots.take("mail-agency-digest")
    assert all(p.stat().st_size > 10_000 for p in paths)
