"""The organizer runs a meeting from the console in a real Chromium, against every real process of the suite.

Signs in, creates the meeting and an agency (whose key is shown once), the agency registers its staff
over the API, and the console shows them with the right seats and waitlist numbers; then the
online side, the messages, a change of time with its confirm step, an outage and sign-out.
Every page is photographed at 360 px and 1280 px.
"""

from __future__ import annotations

import re

import pytest
import requests
from selenium.webdriver.common.by import By

from services.console.door.links import read_door_link
from tests.e2e.console.conftest import ADMIN_TOKEN
from tests.fixtures.browser import wait_for

pytestmark = pytest.mark.slow

ZOOM_URL = "https://us06web.zoom.us/j/81234567890?pwd=UHJhbmF0YUh1bWFz"
STAFF = [
    ("Budi Santoso", "budi.santoso@jabarprov.go.id", "in_person", "198703152011011001"),
    ("Siti Rahmawati", "siti.rahmawati@jabarprov.go.id", "in_person", "198905202012012002"),
    ("Agus Setiawan", "agus.setiawan@jabarprov.go.id", "in_person", None),
    ("Yuliani Puspita", "yuliani.puspita@jabarprov.go.id", "in_person", None),
    ("Hendra Gunawan", "hendra.gunawan@jabarprov.go.id", "in_person", None),
    ("Rina Wulandari", "rina.wulandari@jabarprov.go.id", "online", None),
]


def set_value(browser, element_id: str, value: str) -> None:
    """Type into a field; datetime-local inputs are set directly (their typing order follows the browser's locale)."""
    element = browser.find_element(By.ID, element_id)
    if element.get_attribute("type") == "datetime-local":
        browser.execute_script("arguments[0].value = arguments[1]", element, value)
    else:
        element.clear()
        element.send_keys(value)


def submit(browser, form_action_part: str) -> None:
    form = browser.find_element(By.CSS_SELECTOR, f'form[action$="{form_action_part}"]')
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()


def on_a_phone(browser, script: str, *args):
    """The answer of `script` with the page laid out at 360 px, as on a phone."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 360, "height": 800, "deviceScaleFactor": 1, "mobile": True})
    try:
        return browser.execute_script(script, *args)
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def fits_a_phone(browser) -> bool:
    """No horizontal scroll at 360 px: the page is no wider than the phone."""
    return on_a_phone(browser, "return document.documentElement.scrollWidth") <= 360


def text_of(browser) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


def test_organizer_sets_up_a_meeting_and_sees_the_agencys_registrations_with_their_seats(
    console, stack, browser, screenshots, smtp_server, tmp_path
):
    # Sign in.
    browser.get(console.page("/meetings"))
    wait_for(browser, lambda b: "/signin" in b.current_url)
    screenshots.take("01-signin")
    set_value(browser, "token", ADMIN_TOKEN)
    submit(browser, "/signin")
    wait_for(browser, lambda b: b.current_url.endswith("/meetings"))
    assert ADMIN_TOKEN not in browser.page_source
    assert browser.get_cookie("rakor_console")["httpOnly"] is True

    # Create the meeting: three seats at Hotel Aviary, also online.
    browser.find_element(By.LINK_TEXT, "Buat rapat").click()
    for field, value in (
        ("title", "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"),
        ("starts_at", "2031-12-01T09:00"),
        ("ends_at", "2031-12-01T12:00"),
        ("venue-name", "Hotel Aviary"),
        ("venue-address", "Jl. Raya Sudimara Pinang No. 88, Bintaro"),
        ("venue-city", "Tangerang Selatan"),
        ("in_person_capacity", "3"),
        ("health_protocol", "Peserta wajib bermasker dan menunjukkan hasil antigen negatif."),
    ):
        set_value(browser, field, value)
    screenshots.take("02-meeting-form")
    submit(browser, "/meetings/new")
    wait_for(browser, lambda b: re.search(r"/meetings/[\w-]+\?notice=meeting.created", b.current_url))
    event_id = re.search(r"/meetings/([\w-]+)", browser.current_url).group(1)
    assert "Senin, 1 Desember 2031, 09.00–12.00 WIB" in text_of(browser)
    assert "0 dari 3 kursi terisi, 0 daftar tunggu" in text_of(browser)

    # Create the agency: its key is on the page once, and never again.
    browser.find_element(By.LINK_TEXT, "Instansi").click()
    set_value(browser, "name", "Dinas Komunikasi dan Informatika Provinsi Jawa Barat")
    browser.find_element(By.CSS_SELECTOR, 'select#kind option[value="province"]').click()
    set_value(browser, "contact_email", "diskominfo@jabarprov.go.id")
    submit(browser, "/agencies")
    key = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="api-key"]'))[0].text.strip()
    screenshots.take("03-agency-key-once")
    assert len(key) >= 20
    browser.get(console.page("/agencies"))
    assert key not in browser.page_source and "Dinas Komunikasi dan Informatika Provinsi Jawa Barat" in browser.page_source
    screenshots.take("03b-agencies")
    browser.find_element(By.LINK_TEXT, "Cabut semua kunci").click()
    wait_for(browser, lambda b: b.current_url.endswith("/revoke"))
    assert "tidak dapat lagi mendaftarkan" in text_of(browser)
    screenshots.take("03c-agency-revoke-confirm")
    browser.find_element(By.LINK_TEXT, "Batal").click()  # not now: the agency is about to register

    # The agency's HR system registers its staff over the API with that key. The mail relay refuses the
    # first mail for good (550): that confirmation fails, to be re-sent from the console later.
    smtp_server.fail_next(550)
    agency = {"Authorization": f"Bearer {key}"}
    registered = []
    for name, email, mode, nip in STAFF:
        body = {
            "full_name": name,
            "email": email,
            "attendance_mode": mode,
            "position": "Pranata Humas Ahli Muda",
            **({"nip": nip} if nip else {}),
        }
        answer = requests.post(f"{stack.registration}/v1/events/{event_id}/registrations", json=body, headers=agency, timeout=10)
        assert answer.status_code == 201, answer.text
        registered.append(answer.json())
    assert [r["status"] for r in registered] == ["confirmed"] * 3 + ["waitlisted"] * 2 + ["confirmed"]

    # The console shows them: seats 3 of 3, two waiting as numbers 1 and 2, the agency's bars.
    browser.get(console.page(f"/meetings/{event_id}"))
    assert "3 dari 3 kursi terisi, 2 daftar tunggu" in text_of(browser)
    table = browser.find_element(By.CSS_SELECTOR, '[data-testid="registrations"]')
    rows = {row.get_attribute("data-registration"): row for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert list(rows) == [r["id"] for r in registered]
    positions = {
        r["participant"]["full_name"]: rows[r["id"]].find_element(By.CSS_SELECTOR, '[data-testid="waitlist-position"]').text
        for r in registered
    }
    assert positions == {
        "Budi Santoso": "",
        "Siti Rahmawati": "",
        "Agus Setiawan": "",
        "Yuliani Puspita": "1",
        "Hendra Gunawan": "2",
        "Rina Wulandari": "",
    }
    assert "Daftar tunggu" in rows[registered[3]["id"]].text and "Daring" in rows[registered[5]["id"]].text
    agency_row = browser.find_element(By.CSS_SELECTOR, '[data-testid="agency-table"] tbody tr').text
    assert agency_row.endswith("6 4 0 0")  # registered, confirmed, checked in, joined online
    screenshots.take("04-meeting")

    # Filter and search.
    browser.find_element(By.CSS_SELECTOR, 'select#f-status option[value="waitlisted"]').click()
    browser.find_element(By.CSS_SELECTOR, 'form.filters button[type="submit"]').click()
    wait_for(browser, lambda b: "status=waitlisted" in b.current_url)
    names = [
        row.find_elements(By.TAG_NAME, "td")[1].text
        for row in browser.find_elements(By.CSS_SELECTOR, '[data-testid="registrations"] tbody tr')
    ]
    assert names == ["Yuliani Puspita", "Hendra Gunawan"]
    browser.get(console.page(f"/meetings/{event_id}?q=198905202012012002"))
    assert len(browser.find_elements(By.CSS_SELECTOR, '[data-testid="registrations"] tbody tr')) == 1
    assert "Siti Rahmawati" in text_of(browser)

    # Online: a Zoom channel, publish, Rina gets her link.
    browser.get(console.page(f"/meetings/{event_id}/streaming"))
    set_value(browser, "zoom-url", ZOOM_URL)
    set_value(browser, "zoom-meeting_id", "812 3456 7890")
    submit(browser, "/channels/zoom")
    wait_for(browser, lambda b: "notice=streaming.saved" in b.current_url)
    submit(browser, "/publish")
    published = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="published"]'))[0].text
    assert published.startswith("1 tautan pribadi diterbitkan")
    screenshots.take("05-streaming")

    # After the meeting, Zoom's participant report as exported: Rina left and came back (her stays overlap
    # and count once), a guest on a phone matches nobody.
    report = tmp_path / "participants_81234567890.csv"
    report.write_text(
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room\n"
        "Rina Wulandari,rina.wulandari@jabarprov.go.id,12/01/2031 08:58:00 AM,12/01/2031 10:00:00 AM,62,No,No\n"
        "Rina Wulandari,rina.wulandari@jabarprov.go.id,12/01/2031 09:50:00 AM,12/01/2031 11:30:00 AM,100,No,No\n"
        "iPhone Pak Joko,,12/01/2031 09:05:00 AM,12/01/2031 09:40:00 AM,35,Yes,No\n",
        encoding="utf-8-sig",
    )
    browser.find_element(By.ID, "report").send_keys(str(report))
    submit(browser, "/zoom-report")
    result = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="report-result"]'))[0].text
    assert result == "3 baris dibaca: 2 cocok dengan peserta daring, 1 tidak cocok, 0 di ruang tunggu."
    [rina_minutes] = browser.find_elements(By.CSS_SELECTOR, '[data-testid="report-minutes"] tbody tr')
    assert rina_minutes.text.startswith("Rina Wulandari") and rina_minutes.text.endswith(" 152")
    [guest] = browser.find_elements(By.CSS_SELECTOR, '[data-testid="report-unmatched"] tbody tr')
    assert "iPhone Pak Joko" in guest.text and "tanpa surel" in guest.text
    screenshots.take("05b-zoom-report")
    # Not a report: the streaming API's reason, on the page, and nothing imported.
    report.write_text("Nama,Surel\nRina,rina@example.go.id\n", encoding="utf-8")
    browser.find_element(By.ID, "report").send_keys(str(report))
    submit(browser, "/zoom-report")
    errors = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="report-errors"]'))[0].text
    assert "Ada masalah" in errors and len(errors.splitlines()) > 1

    # The attendance tab: Rina's 152 minutes reach registration over the bus; with no minimum, being in the
    # report is enough. Then a minimum of 200 minutes, set on the meeting form, and she no longer counts.
    rina = registered[5]["id"]

    def rina_minutes(b):
        b.get(console.page(f"/meetings/{event_id}/attendance"))
        return b.find_element(By.CSS_SELECTOR, f'tr[data-registration="{rina}"] [data-testid="online-minutes"]').text == "152"

    wait_for(browser, rina_minutes, timeout=30)
    assert (
        "Kehadiran daring dinilai dari laporan peserta Zoom"
        in browser.find_element(By.CSS_SELECTOR, '[data-testid="attendance-rule"]').text
    )
    assert browser.find_element(By.CSS_SELECTOR, '[data-testid="attendance-totals"]').text == "1 dari 4 peserta terkonfirmasi hadir."
    assert browser.find_element(By.CSS_SELECTOR, f'tr[data-registration="{rina}"] [data-testid="attended"]').text == "Ya"
    screenshots.take("05c-attendance")
    assert fits_a_phone(browser)
    browser.get(console.page(f"/meetings/{event_id}/edit"))
    set_value(browser, "min_online_minutes", "200")
    submit(browser, "/edit")
    wait_for(browser, lambda b: "notice=meeting.saved" in b.current_url)  # nobody is told: no confirm step
    browser.get(console.page(f"/meetings/{event_id}/attendance"))
    assert "sedikitnya 200 menit" in browser.find_element(By.CSS_SELECTOR, '[data-testid="attendance-rule"]').text
    assert browser.find_element(By.CSS_SELECTOR, '[data-testid="attendance-totals"]').text == "0 dari 4 peserta terkonfirmasi hadir."
    assert browser.find_element(By.CSS_SELECTOR, f'tr[data-registration="{rina}"] [data-testid="attended"]').text == "Tidak"

    # Messages: the confirmations and the link go out; the page counts them by channel and status.
    def mails_listed(b):
        b.get(console.page(f"/meetings/{event_id}/messages?channel=email"))
        return len(b.find_elements(By.CSS_SELECTOR, '[data-testid="messages"] tbody tr')) >= 7

    wait_for(browser, mails_listed, timeout=60)
    browser.get(console.page(f"/meetings/{event_id}/messages?status=failed"))
    [failed] = browser.find_elements(By.CSS_SELECTOR, '[data-testid="messages"] tbody tr')
    recipient = failed.find_elements(By.TAG_NAME, "td")[2].text

    # Which mail met the 550 depends on the order the workers took them; the recipient may have had other
    # mail meanwhile (an online participant's link). What the re-send brings is a subject not seen before.
    def subjects_to(address):
        return [str(m.message["Subject"]) for m in smtp_server.messages if address in m.rcpt_tos]

    assert "Gagal" in failed.text
    subjects_before = subjects_to(recipient)
    browser.get(console.page(f"/meetings/{event_id}/messages"))
    screenshots.take("06-messages")

    # Re-send the failed one: it goes out now.
    browser.find_element(By.CSS_SELECTOR, 'form[action$="/retry"] button').click()
    wait_for(browser, lambda b: "notice=messages.resent" in b.current_url)
    assert "Pesan telah dikirim ulang; statusnya tampak di bawah." in text_of(browser)
    assert [subject for subject in subjects_to(recipient) if subject not in subjects_before]
    assert not browser.find_elements(By.CSS_SELECTOR, 'form[action$="/retry"]')

    # A door link for the phone at the entrance: the link and its QR, drawn by the console.
    browser.get(console.page(f"/meetings/{event_id}/doors"))
    set_value(browser, "label", "Pintu 1 — Lobi Utama")
    submit(browser, "/doors")
    panel = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="door-link"]'))[0]
    link = read_door_link(panel.find_element(By.CSS_SELECTOR, "a.secret").text)
    assert (link.event_id, link.label, link.title) == (
        event_id,
        "Pintu 1 — Lobi Utama",
        "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    )
    assert browser.execute_script("return arguments[0].naturalWidth", panel.find_element(By.CSS_SELECTOR, "img.qr")) > 100
    screenshots.take("07-doors")
    # The link opens the door page (the phone's part is tests/e2e/console/test_door_page.py).
    browser.get(panel.find_element(By.CSS_SELECTOR, "a.secret").get_attribute("href"))
    assert browser.current_url == console.page("/door")
    # The header names the meeting and the door; on a phone the title gives way (ellipsis), never the door.
    header = wait_for(browser, lambda b: b.find_element(By.CSS_SELECTOR, ".door-header h1"))
    assert header.find_element(By.CSS_SELECTOR, ".door-label").text == "Pintu 1 — Lobi Utama"
    meeting_line = header.find_element(By.CSS_SELECTOR, ".door-meeting").get_attribute("textContent")
    assert meeting_line == "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas, "  # the comma is for screen readers
    screenshots.take("07a-door-page")
    # On a 360 px phone both lines stay clear of the header's links (cut with an ellipsis when too long).
    clear_of_links = """
        const nav = document.querySelector('.door-header nav').getBoundingClientRect();
        return [...arguments[0].children].every(line => { const r = line.getBoundingClientRect(); return r.width > 0 && r.right <= nav.left; });
    """
    assert on_a_phone(browser, clear_of_links, header)
    assert fits_a_phone(browser)

    # Cancelling would reach all six (only a look: the page asks first).
    browser.get(console.page(f"/meetings/{event_id}/cancel"))
    assert "Pembatalan ini akan dikirim ke 6 peserta melalui surel dan SMS." in text_of(browser)
    screenshots.take("07b-cancel-confirm")

    # Moving the meeting by an hour: the console first says who will be told (the five active in-person and online
    # participants who are not cancelled: all six), and saves only on confirm.
    browser.get(console.page(f"/meetings/{event_id}/edit"))
    set_value(browser, "starts_at", "2031-12-01T10:00")
    screenshots.take("08-edit")
    submit(browser, "/edit")
    notice = wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="notify-count"]'))[0].text
    assert notice == "Perubahan waktu atau tempat ini akan dikirim ke 6 peserta melalui surel dan SMS."
    screenshots.take("08-confirm-change")
    browser.find_element(By.CSS_SELECTOR, '[data-testid="confirm"]').click()
    wait_for(browser, lambda b: "notice=meeting.saved" in b.current_url)
    assert "10.00–12.00 WIB" in text_of(browser)

    # English, then back.
    browser.find_element(By.CSS_SELECTOR, 'form[action="/language"] button').click()
    wait_for(browser, lambda b: "3 of 3 seats taken, 2 waiting" in text_of(b))
    browser.find_element(By.CSS_SELECTOR, 'form[action="/language"] button').click()
    wait_for(browser, lambda b: "3 dari 3 kursi terisi" in text_of(b))

    # The meetings list.
    browser.get(console.page("/meetings"))
    assert "3 dari 3 kursi terisi, 2 daftar tunggu" in text_of(browser)
    screenshots.take("09-meetings")

    # The notification service goes down: the messages page says so in plain words; registration data is intact.
    stack.processes["notification-api"].stop()
    browser.get(console.page(f"/meetings/{event_id}/messages"))
    assert "Layanan notifikasi sedang tidak dapat dihubungi; data pendaftaran tetap aman. Coba lagi." in text_of(browser)
    screenshots.take("10-notification-down")
    browser.get(console.page(f"/meetings/{event_id}"))
    assert "3 dari 3 kursi terisi" in text_of(browser)

    # Sign out: the pages are closed again.
    browser.find_element(By.CSS_SELECTOR, '[data-testid="signout"]').click()
    wait_for(browser, lambda b: "signed_out=1" in b.current_url)
    assert "Anda telah keluar." in text_of(browser)
    browser.get(console.page(f"/meetings/{event_id}"))
    wait_for(browser, lambda b: "/signin" in b.current_url)
    assert all(path.stat().st_size > 5000 for path in screenshots.taken)
    # Nor did the token reach the console's log (access lines carry paths only, never form bodies).
    assert ADMIN_TOKEN not in console.process.output() and key not in console.process.output()
