"""Every mail as a participant's mail client shows it: parsed from its MIME, opened in headless Chromium.

The organizer's logo and the check-in QR are resolved from their `cid:` parts (as a client does), never fetched; the page must fit a
360 px phone and a 1280 px desk without horizontal scrolling, show its images, request nothing from the
network, and switch to light text on a dark page when the reader's system is in dark mode.
"""
from __future__ import annotations

import base64
import email
import re
from email import policy
from pathlib import Path

import pytest

from services.notification.content.invitation import build_invitation
from services.notification.content.mail_message import build_email
from services.notification.content.qr_image import qr_png
from services.notification.content.rendering import LOCALES, Renderer
from services.notification.domain.letterhead import from_header, organizer_of
from services.notification.domain.messages import KINDS, Recipient, build_context, plan_messages
from tests.factories.notification import CERTIFICATE, make_meeting
from tests.factories.images import make_png

ORGANIZER = {
    "name": "Kementerian Komunikasi dan Informatika", "unit": "Direktorat Jenderal Informasi dan Komunikasi Publik",
    "signatory_name": "Usman Kansong", "signatory_title": "Direktur Jenderal Informasi dan Komunikasi Publik",
}
LOGO = make_png(96, 96)
LINKS = {
    "join_url": "https://rakor.example.go.id/j/Zx8kQ2mV7pLr4sT9wB1nY6cH3dF5gJ0aE2uI8oK4qW7e",
    "youtube_url": "https://www.youtube.com/watch?v=ditjenikp2021", "channel_kinds": ["zoom", "youtube"],
    "zoom_meeting_id": "81234567890", "waitlist_position": 3, "reason": "Bertepatan dengan agenda pimpinan",
    "changed_fields": ["starts_at"], "link_pending": False, "certificate": CERTIFICATE,
}


def _mime(kind: str, locale: str, attendance_mode: str) -> email.message.EmailMessage:
    recipient = Recipient(
        "reg-browser", "Raden Ajeng Siti Nurhaliza Kusumawardhani", "siti.kusumawardhani@jatengprov.go.id", "+6281390001234",
        locale, attendance_mode, "confirmed", "K7Q2XP" if attendance_mode == "in_person" and kind != "certificate" else None,
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
        rendered, sender=sender, to_name=recipient.full_name, to_address=recipient.email, message_key="n-1",
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
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": width < 600})
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
