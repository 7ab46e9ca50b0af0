"""The door page on a phone, in real headless Chromium whose camera plays the QR code from a participant's mail.

Real processes (the whole suite as the story test starts it, and the console): registration, its relay, the notification worker sending to an
SMTP server (aiosmtpd), streaming, and the console serving the door page. The QR code is taken from the confirmation mail
exactly as the participant received it, turned into a fake camera video, and scanned by the page.
Screenshots of every state, 360 px wide, go to the test artifacts directory (RAKOR_TEST_ARTIFACTS,
default var/test-artifacts) under door/.
"""

from __future__ import annotations

import email
import shutil
from datetime import datetime
from email import policy
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from services.console.door import door_link
from tests.fixtures.browser import CHROMEDRIVER, CHROMIUM
from tests.fixtures.browser import _options as browser_options
from tests.fixtures.fake_camera import qr_video
from tests.fixtures.polling import wait_until

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740, "pixelRatio": 1}
TITLE = "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"
QR_CONTENT_ID = "<checkin-qr>"  # services/notification/content/rendering.py QR_CID


class Door:
    """The organizer's and an agency's calls to registration, and the console, of the suite's running processes."""

    def __init__(self, stack, console, proxy) -> None:
        # The phone reaches the console through a proxy whose link can be cut: a door's wifi dropping out.
        self.proxy = proxy
        self.registration, self.console, self.admin = stack.registration, f"http://127.0.0.1:{proxy.port}", stack.admin
        self.processes = [*stack.processes.values(), console.process]

    def call(self, method: str, path: str, status: int, headers: dict, **kwargs) -> Any:
        response = requests.request(method, self.registration + path, headers=headers, timeout=10, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def logs(self) -> str:
        return "\n".join(process.output() for process in self.processes)


@pytest.fixture
def door(stack, console, tcp_proxy) -> Door:
    port = int(console.url.rsplit(":", 1)[1])
    return Door(stack, console, tcp_proxy("127.0.0.1", port))


@pytest.fixture
def shots(artifacts_dir) -> Path:
    return artifacts_dir / "door"


@pytest.fixture
def phones():
    """Chromium as a 360 x 740 phone whose camera plays a given Y4M file; each one is closed at teardown."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip(f"{CHROMIUM} and {CHROMEDRIVER} are needed (apt-get install chromium chromium-driver)")
    started = []

    def open_phone(camera_video: Path) -> webdriver.Chrome:
        options = browser_options()
        for argument in (
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera_video}",
        ):
            options.add_argument(argument)
        # A desktop window cannot be narrower than ~500 px; device emulation gives the phone's 360 px.
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": PHONE})
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        started.append(driver)
        return driver

    yield open_phone
    for driver in started:
        driver.quit()


def qr_from_mail(raw: bytes) -> bytes:
    """The check-in QR image of a confirmation mail, as the SMTP server received it."""
    message = email.message_from_bytes(raw, policy=policy.default)
    for part in message.walk():
        if part.get_content_type() == "image/png" and part["Content-ID"] == QR_CONTENT_ID:
            return part.get_payload(decode=True)
    pytest.fail(f"no QR image in the mail '{message['Subject']}'", pytrace=False)


def result(driver) -> tuple[str, str]:
    """The result panel's colour and text ('idle', '' between scans)."""
    try:
        panel = driver.find_element(By.ID, "result")
        classes = panel.get_attribute("class").split()
        return next((c for c in ("green", "amber", "red", "idle") if c in classes), " ".join(classes)), panel.text
    except StaleElementReferenceException:
        return "idle", ""


def wait_for_result(driver, colour: str, timeout: float = 20) -> str:
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: result(d)[1] if result(d)[0] == colour else None, message=f"no {colour} result"
    )


def status_line(driver) -> str:
    return driver.find_element(By.ID, "status").get_attribute("textContent")


def counter(driver) -> str:
    return driver.find_element(By.ID, "counter").text


def screenshot(driver, directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}-360.png"
    driver.save_screenshot(str(path))
    return path


def test_door_phone_scans_the_mailed_qr_green_then_amber_undoes_refuses_a_cancelled_one_and_locks_out_a_revoked_token(
    door, phones, shots, smtp_server, tmp_path
):
    meeting = door.call(
        "POST",
        "/v1/events",
        201,
        door.admin,
        json={
            "title": TITLE,
            "starts_at": "2031-12-01T09:00:00+07:00",
            "ends_at": "2031-12-01T12:00:00+07:00",
            "timezone": "Asia/Jakarta",
            "in_person_capacity": 50,
            "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro", "city": "Tangerang Selatan"},
        },
    )
    event = meeting["id"]
    agency = door.call(
        "POST",
        "/v1/agencies",
        201,
        door.admin,
        json={
            "name": "Dinas Komunikasi dan Informatika Provinsi Jawa Barat",
            "kind": "province",
            "contact_email": "diskominfo@jabarprov.go.id",
        },
    )
    key = {"Authorization": f"Bearer {agency['api_key']}"}
    people = {}
    for name, address in (
        ("Rina Wulandari", "rina.wulandari@jabarprov.go.id"),
        ("Budi Santoso", "budi.santoso@jabarprov.go.id"),
        ("Dewi Anggraini", "dewi.anggraini@jabarprov.go.id"),
    ):
        people[name] = door.call(
            "POST",
            f"/v1/events/{event}/registrations",
            201,
            key,
            json={"full_name": name, "email": address, "attendance_mode": "in_person", "position": "Pranata Humas Ahli Muda"},
        )
    smtp_server.wait_for(3, timeout=30)
    mails = {r.rcpt_tos[0]: r.raw for r in smtp_server.messages}
    rina_qr = qr_video(tmp_path / "rina.y4m", qr_from_mail(mails["rina.wulandari@jabarprov.go.id"]))
    budi_qr = qr_video(tmp_path / "budi.y4m", qr_from_mail(mails["budi.santoso@jabarprov.go.id"]))
    # Budi cancels after his confirmation (with its QR) reached him.
    door.call("DELETE", f"/v1/registrations/{people['Budi Santoso']['id']}", 200, key)

    created = door.call("POST", f"/v1/events/{event}/door-tokens", 201, door.admin, json={"label": "Pintu 1"})
    token = created["token"]
    link = door_link(door.console, event, token, created["label"])

    # Rina at the door: the page signs in with the link, the token leaves the address bar, her QR is read.
    phone = phones(rina_qr)
    phone.get(link)
    assert phone.current_url == f"{door.console}/door"
    assert "Pintu 1" in phone.find_element(By.TAG_NAME, "header").text
    green = wait_for_result(phone, "green")
    assert green.splitlines()[:4] == [
        "✓ Berhasil check-in",
        "Rina Wulandari",
        "Dinas Komunikasi dan Informatika Provinsi Jawa Barat",
        "tatap muka",
    ]
    wait_until(lambda: counter(phone) == "Hadir 1 / 2", 10, "the counter showing Rina")
    screenshot(phone, shots, "1-green")
    assert phone.find_element(By.ID, "result").get_attribute("aria-live") == "assertive"

    # She still holds her phone up: after the green result has gone, the same QR answers amber with the time.
    amber = wait_for_result(phone, "amber")
    checked_in_at = door.call("GET", f"/v1/events/{event}/check-ins/lookup", 200, door.admin, params={"q": "Rina"})[0]["checked_in_at"]
    at_the_venue = datetime.fromisoformat(checked_in_at).astimezone(ZoneInfo("Asia/Jakarta")).strftime("%H.%M")
    assert amber.splitlines()[:2] == [f"! Sudah check-in pukul {at_the_venue} WIB", "Rina Wulandari"]
    screenshot(phone, shots, "2-amber")

    # Undo the last check-in: the counter goes back, and scanning waits until staff resume it.
    phone.find_element(By.ID, "undo-last").click()
    wait_until(lambda: counter(phone) == "Hadir 0 / 2", 10, "the counter going back after the undo")
    assert result(phone) == ("amber", "! Check-in dibatalkan\nRina Wulandari\nLanjut memindai")
    assert door.call("GET", f"/v1/events/{event}/check-ins/summary", 200, door.admin) == {"checked_in": 0, "confirmed_in_person": 2}
    screenshot(phone, shots, "3-undone")

    # The wifi drops as scanning resumes: the page says it is retrying, and the scan goes through once it is back.
    door.proxy.cut()
    phone.find_element(By.CSS_SELECTOR, "#result button.resume").click()
    wait_until(lambda: status_line(phone) == "Jaringan terputus, mencoba lagi…", 15, "the page saying it retries")
    door.proxy.restore()
    assert wait_for_result(phone, "green", timeout=30).splitlines()[1] == "Rina Wulandari"
    assert status_line(phone) == ""
    wait_until(lambda: counter(phone) == "Hadir 1 / 2", 10, "the counter after Rina's second check-in")
    assert token not in phone.page_source

    # Budi's QR, from the mail he got before cancelling: red, with the reason.
    second = phones(budi_qr)
    second.get(link)
    red = wait_for_result(second, "red")
    assert red == "✕ Pendaftaran dibatalkan"
    assert counter(second) == "Hadir 1 / 2"
    screenshot(second, shots, "4-red-cancelled")

    # Dewi forgot her phone: her code typed by hand, then a search by name finds her already in.
    wait_until(lambda: result(second)[0] == "idle", 5, "the red result clearing")
    second.find_element(By.ID, "code").send_keys(people["Dewi Anggraini"]["check_in_code"].lower() + "\n")
    assert wait_for_result(second, "green").splitlines()[1] == "Dewi Anggraini"
    wait_until(lambda: counter(second) == "Hadir 2 / 2", 10, "the counter after Dewi")
    search = second.find_element(By.ID, "q")
    search.send_keys("Anggraini\n")
    matches = WebDriverWait(second, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".matches li"))
    assert len(matches) == 1 and "Dewi Anggraini" in matches[0].text and "hadir" in matches[0].text
    screenshot(second, shots, "5-search")
    # The reloaded page reads Budi's QR again at once; the next read comes 3 s after that result clears.
    wait_for_result(second, "red")
    wait_until(lambda: result(second)[0] == "idle", 5, "the red result clearing")
    second.find_elements(By.CSS_SELECTOR, ".matches li button")[0].click()
    assert wait_for_result(second, "amber").startswith("! Sudah check-in pukul ")

    # The organizer revokes the door link: the phone's next page is the sign-in page, without any data.
    door.call("DELETE", f"/v1/door-tokens/{created['id']}", 204, door.admin)
    second.get(f"{door.console}/door")
    heading = second.find_element(By.TAG_NAME, "h1").text
    assert heading == "Masuk sebagai petugas pintu"
    assert "Hadir" not in second.page_source and "Rina" not in second.page_source
    screenshot(second, shots, "6-revoked")
    second.get(link)
    assert "tidak berlaku" in second.find_element(By.CLASS_NAME, "error-summary").text
    assert second.find_elements(By.ID, "counter") == []

    # The token was in no rendered page and in no log line.
    for page in (phone.page_source, second.page_source):
        assert token not in page
    assert token not in door.logs()
