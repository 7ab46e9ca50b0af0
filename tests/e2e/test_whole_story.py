"""The whole story of one hybrid meeting, through every real process, the broker, an SMTP server and an SMS gateway.

The organizer sets up the Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas at Hotel Aviary
(5 seats) with Zoom and YouTube, two agencies register their staff, and each participant's mailbox and
phone are checked at every turn: confirmation, waitlist, personal link, promotion, cancellation,
schedule change, check-in at the door and the attendance report. A second meeting reaches people on
WhatsApp: receipts come back signed, and a number that is not on WhatsApp gets its SMS instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
import requests
from icalendar import Calendar

from tests.fixtures.polling import wait_until
from tests.fixtures.processes import free_port, gunicorn_argv
from tests.fixtures.whatsapp_api import _error

ADMIN_TOKEN = "uji-token-admin-rakor-cerita-utuh"
WHATSAPP_APP_SECRET = "uji-rahasia-aplikasi-whatsapp-cerita"
RETRY_DELAYS = (0.5, 1.0)
TITLE = "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas"
ZOOM_URL = "https://us06web.zoom.us/j/81234567890?pwd=UHJhbmF0YUh1bWFz"
YOUTUBE_URL = "https://www.youtube.com/watch?v=RakorHumas21"
JOIN_LINK = re.compile(r"https?://[^\s\"<>]+/j/[A-Za-z0-9_-]+")
WIB = dt.timezone(dt.timedelta(hours=7))


def soon(minutes: int) -> dt.datetime:
    """A whole minute this far from now, in WIB: personal links lead to the meeting only from 30 minutes
    before its start (JOIN_OPENS_MINUTES), so the story's meeting starts within that window."""
    return (dt.datetime.now(WIB) + dt.timedelta(minutes=minutes)).replace(second=0, microsecond=0)


# Subject prefixes per message kind and locale (services/notification/templates/<locale>/<kind>.subject.j2).
SUBJECTS = {
    ("confirmed", "id"): "Konfirmasi Pendaftaran",
    ("confirmed", "en"): "Registration confirmed",
    ("waitlisted", "id"): "Daftar Tunggu",
    ("link_issued", "id"): "Tautan Pribadi Rapat Daring",
    ("link_issued", "en"): "Your personal link for the online meeting",
    ("promoted", "id"): "Kursi Tersedia, Pendaftaran Dikonfirmasi",
    ("cancelled", "id"): "Pembatalan Pendaftaran",
    ("meeting_updated", "id"): "Perubahan Jadwal atau Tempat",
    ("meeting_updated", "en"): "Change of time or venue",
    ("bulk_summary", "id"): "Hasil pendaftaran kolektif",
}


def make_meeting(**overrides: Any) -> dict[str, Any]:
    """The model meeting: Hotel Aviary, five seats, hybrid."""
    body = {
        "title": TITLE,
        "theme": "Penguatan Peran Pranata Humas di Era Disrupsi Informasi",
        "starts_at": soon(10).isoformat(),
        "ends_at": soon(190).isoformat(),
        "timezone": "Asia/Jakarta",
        "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro", "city": "Tangerang Selatan"},
        "in_person_capacity": 5,
        "health_protocol": "Peserta wajib bermasker, menjaga jarak dan menunjukkan sertifikat vaksin di aplikasi PeduliLindungi.",
    }
    body.update(overrides)
    return body


def make_participant(full_name: str, email: str, mode: str, phone: str | None = None, locale: str = "id", **extra: Any) -> dict[str, Any]:
    """One participant as an agency's HR system posts it."""
    body = {
        "full_name": full_name,
        "email": email,
        "attendance_mode": mode,
        "locale": locale,
        "position": "Pranata Humas Ahli Muda",
        **extra,
    }
    if phone is not None:
        body["phone"] = phone
    return body


class Mailbox:
    """The SMTP server's mails and the gateway's SMS, read per recipient."""

    def __init__(self, smtp_server, sms_gateway) -> None:
        self.smtp = smtp_server
        self.sms = sms_gateway

    def mails(self, address: str, kind: str | None = None, locale: str = "id") -> list:
        found = [r.message for r in self.smtp.messages if address in r.rcpt_tos]
        if kind:
            found = [m for m in found if str(m["Subject"]).startswith(SUBJECTS[(kind, locale)])]
        return found

    def one_mail(self, address: str, kind: str, locale: str = "id"):
        mails = self.mails(address, kind, locale)
        assert len(mails) == 1, (
            f"{address} got {len(mails)} '{kind}' mails; all subjects: {[str(m['Subject']) for m in self.mails(address)]}"
        )
        return mails[0]

    def texts(self, number: str) -> list[str]:
        return [m["message"] for m in self.sms.messages if m["to"] == number]

    def wait(self, mails: int, texts: int, timeout: float = 20) -> None:
        """Wait for the running totals, then check nothing beyond them arrived."""
        self.smtp.wait_for(mails, timeout=timeout)
        self.sms.wait_for(texts, timeout=timeout)
        assert len(self.smtp.messages) == mails, [(r.rcpt_tos, str(r.message["Subject"])) for r in self.smtp.messages]
        assert len(self.sms.messages) == texts, [(m["to"], m["message"]) for m in self.sms.messages]


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def invitation(message) -> Calendar | None:
    """The .ics attached to ``message``, parsed; None without one."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    return None


def calendar_entry(calendar: Calendar) -> dict[str, Any]:
    vevent = next(c for c in calendar.walk("VEVENT"))
    return {
        "method": str(calendar["METHOD"]),
        "uid": str(vevent["UID"]),
        "sequence": int(vevent["SEQUENCE"]),
        "dtstart": vevent.decoded("DTSTART"),
    }


class Stack:
    """Every process of the suite started for this test; HTTP helpers for organizer and agencies."""

    def __init__(self, start_process, free_port, data_dir, amqp_url, smtp_server, sms_gateway, whatsapp_api) -> None:
        self.registration_port, self.notification_port, self.streaming_port = free_port(), free_port(), free_port()
        # Streaming writes join links under PUBLIC_BASE_URL; notification sends only links that lie under it.
        base = {
            "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
            "RABBITMQ_URL": amqp_url,
            "LOG_LEVEL": "WARNING",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.streaming_port}",
            "RETRY_DELAYS": ",".join(str(d) for d in RETRY_DELAYS),
            "CONSUMER_CONCURRENCY": "2",
        }
        extra = {
            "registration": {"REGISTRATION_PORT": str(self.registration_port)},
            "notification": {
                "NOTIFICATION_PORT": str(self.notification_port),
                "SMTP_FROM": "Panitia Rakor Ditjen IKP <rakor@kominfo.go.id>",
                **smtp_server.env(),
                **sms_gateway.env(),
                **whatsapp_api.env(),
                "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
            },
            "streaming": {"STREAMING_PORT": str(self.streaming_port)},
        }
        envs = {}
        for service in ("registration", "notification", "streaming"):
            directory = data_dir / service
            directory.mkdir()
            envs[service] = {
                **base,
                "DATA_DIR": str(directory),
                f"{service.upper()}_DATABASE_URL": f"sqlite:///{directory / (service + '.db')}",
                **extra[service],
            }
        # Everything starts at once; the APIs are health-polled afterwards (two cores, eight interpreters).
        self.processes = {}
        for service, port in (
            ("registration", self.registration_port),
            ("notification", self.notification_port),
            ("streaming", self.streaming_port),
        ):
            self.processes[f"{service}-api"] = start_process(
                gunicorn_argv(f"services.{service}.app:create_app()", port, workers=1), env=envs[service]
            )
        for service, role in (
            ("registration", "relay"),
            ("registration", "worker"),
            ("notification", "worker"),
            ("streaming", "relay"),
            ("streaming", "worker"),
        ):
            self.processes[f"{service}-{role}"] = start_process(["python", "-m", f"services.{service}.{role}"], env=envs[service])
        for service, port in (
            ("registration", self.registration_port),
            ("notification", self.notification_port),
            ("streaming", self.streaming_port),
        ):
            self.processes[f"{service}-api"].wait_healthy(f"http://127.0.0.1:{port}/healthz", timeout=60)
        self.registration = f"http://127.0.0.1:{self.registration_port}"
        self.streaming = f"http://127.0.0.1:{self.streaming_port}"
        self.notification = f"http://127.0.0.1:{self.notification_port}"
        self.admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def call(self, method: str, url: str, status: int, headers: dict, **kwargs) -> Any:
        response = requests.request(method, url, headers=headers, timeout=10, **kwargs)
        assert response.status_code == status, f"{method} {url}: {response.status_code} {response.text}"
        return response


@pytest.fixture
def stack(start_process, tmp_path, amqp_url, bus, smtp_server, sms_gateway, whatsapp_api) -> Stack:
    # The consumers' retry queues for these short delays exist from the start and are purged by the next test's bus.
    bus.declare_topology(RETRY_DELAYS)
    return Stack(start_process, free_port, tmp_path, amqp_url, smtp_server, sms_gateway, whatsapp_api)


def test_hybrid_meeting_story_reaches_every_participant_and_ends_in_the_attendance_report(stack, smtp_server, sms_gateway, whatsapp_api):
    box = Mailbox(smtp_server, sms_gateway)
    reg, admin = stack.registration, stack.admin

    # The organizer: the meeting, its streaming channels, two agencies.
    meeting = stack.call("POST", f"{reg}/v1/events", 201, admin, json=make_meeting()).json()
    event_id = meeting["id"]
    assert meeting["seats"] == {"capacity": 5, "taken": 0, "waitlisted": 0}
    stack.call(
        "PUT",
        f"{stack.streaming}/v1/events/{event_id}/channels/zoom",
        200,
        admin,
        json={"url": ZOOM_URL, "meeting_id": "812 3456 7890", "passcode": "humas21"},
    )
    stack.call("PUT", f"{stack.streaming}/v1/events/{event_id}/channels/youtube", 200, admin, json={"url": YOUTUBE_URL})
    kominfo = stack.call(
        "POST",
        f"{reg}/v1/agencies",
        201,
        admin,
        json={
            "name": "Biro Hubungan Masyarakat Kementerian Komunikasi dan Informatika",
            "kind": "ministry",
            "contact_email": "humas@kominfo.go.id",
        },
    ).json()
    jabar = stack.call(
        "POST",
        f"{reg}/v1/agencies",
        201,
        admin,
        json={
            "name": "Dinas Komunikasi dan Informatika Provinsi Jawa Barat",
            "kind": "province",
            "contact_email": "diskominfo@jabarprov.go.id",
        },
    ).json()
    kominfo_key = {"Authorization": f"Bearer {kominfo['api_key']}"}
    jabar_key = {"Authorization": f"Bearer {jabar['api_key']}"}

    # Kominfo posts one by one, Jawa Barat in bulk; seats go in arrival order, the sixth in person waits.
    singles = [
        make_participant("Dewi Anggraini", "dewi.anggraini@kominfo.go.id", "in_person", "0813-1111-0001", nip="198703152011012001"),
        make_participant("Fajar Nugroho", "fajar.nugroho@kominfo.go.id", "in_person", "+62 812-2222-0002", locale="en"),
        make_participant("Rina Wulandari", "rina.wulandari@kominfo.go.id", "online", "6281333330003"),
    ]
    dewi, fajar, rina = (
        stack.call("POST", f"{reg}/v1/events/{event_id}/registrations", 201, kominfo_key, json=body).json() for body in singles
    )
    bulk = stack.call(
        "POST",
        f"{reg}/v1/events/{event_id}/registrations/bulk",
        200,
        jabar_key,
        json={
            "registrations": [
                make_participant("Budi Santoso", "budi.santoso@jabarprov.go.id", "in_person", "081344440004"),
                make_participant("Siti Rahmawati", "siti.rahmawati@jabarprov.go.id", "in_person"),
                make_participant("Agus Setiawan", "agus.setiawan@jabarprov.go.id", "in_person", "0813-5555-0006"),
                make_participant("Yuliani Puspita", "yuliani.puspita@jabarprov.go.id", "in_person", "0813-6666-0007"),
                make_participant("Hendra Gunawan", "hendra.gunawan@jabarprov.go.id", "online", "0813-7777-0008", locale="en"),
            ]
        },
    ).json()
    assert bulk["summary"] == {"created": 5, "duplicate": 0, "invalid": 0}
    budi, siti, agus, yuliani, hendra = (row["registration"] for row in bulk["results"])
    people = {"dewi": dewi, "fajar": fajar, "rina": rina, "budi": budi, "siti": siti, "agus": agus, "yuliani": yuliani, "hendra": hendra}
    phones = {
        "dewi": "+6281311110001",
        "fajar": "+6281222220002",
        "rina": "+6281333330003",
        "budi": "+6281344440004",
        "agus": "+6281355550006",
        "yuliani": "+6281366660007",
        "hendra": "+6281377770008",
    }
    assert {name: p["status"] for name, p in people.items()} == {
        name: "waitlisted" if name == "yuliani" else "confirmed" for name in people
    }
    assert yuliani["waitlist_position"] == 1
    assert {name: p["participant"]["phone"] for name, p in people.items() if name in phones} == phones
    assert siti["participant"]["phone"] is None
    in_person = ("dewi", "fajar", "budi", "siti", "agus")
    assert all(people[n]["check_in_code"] for n in in_person) and rina.get("check_in_code") is None
    seats = stack.call("GET", f"{reg}/v1/events/{event_id}", 200, jabar_key).json()["seats"]
    assert seats == {"capacity": 5, "taken": 5, "waitlisted": 1}

    # Everyone hears: eight mails, and an SMS to each of the seven known mobile numbers; Jawa Barat's
    # contact gets the outcome of its bulk request.
    box.wait(mails=9, texts=7)
    summary = plain_text(box.one_mail("diskominfo@jabarprov.go.id", "bulk_summary"))
    assert "Terdaftar: 5" in summary and "Ditolak: 0" in summary and TITLE in summary
    first_invites = {}
    for name in in_person + ("rina", "hendra"):
        locale = people[name]["participant"]["locale"]
        mail = box.one_mail(people[name]["participant"]["email"], "confirmed", locale)
        assert TITLE in str(mail["Subject"]) and mail["Auto-Submitted"] == "auto-generated" and mail["Message-ID"]
        text = plain_text(mail)
        entry = calendar_entry(invitation(mail))
        assert entry["method"] == "REQUEST" and entry["uid"] == f"registration-{people[name]['id']}@rakor"
        first_invites[name] = entry
        if name in in_person:
            assert people[name]["check_in_code"] in text and "Hotel Aviary" in text
        else:
            assert people[name]["participant"]["full_name"] in text
        if name in phones:
            [sms] = box.texts(phones[name])
            assert people[name]["participant"]["full_name"] in sms
            assert (name in in_person) == ("check-in" in sms.lower())
            if name in in_person:
                assert people[name]["check_in_code"] in sms
    waitlist_mail = box.one_mail("yuliani.puspita@jabarprov.go.id", "waitlisted")
    assert "daftar tunggu nomor 1" in plain_text(waitlist_mail) and invitation(waitlist_mail) is None
    [waitlist_sms] = box.texts(phones["yuliani"])
    assert "daftar tunggu no. 1" in waitlist_sms

    # The organizer publishes: each online participant gets a personal link by mail and SMS.
    published = stack.call("POST", f"{stack.streaming}/v1/events/{event_id}/publish", 202, admin).json()
    assert published["event_id"] == event_id
    box.wait(mails=11, texts=9)
    links = {}
    for name in ("rina", "hendra"):
        mail = box.one_mail(people[name]["participant"]["email"], "link_issued", people[name]["participant"]["locale"])
        [mailed_link] = set(JOIN_LINK.findall(plain_text(mail)))
        assert YOUTUBE_URL in plain_text(mail)
        link_sms = [t for t in box.texts(phones[name]) if "/j/" in t]
        assert JOIN_LINK.findall(link_sms[0]) == [mailed_link]
        assert mailed_link.startswith(f"{stack.streaming}/j/")
        links[name] = mailed_link
    assert links["rina"] != links["hendra"]
    visit = requests.get(links["rina"], allow_redirects=False, timeout=10)
    assert visit.status_code == 302 and visit.headers["Location"] == ZOOM_URL

    # Dewi cannot come: her seat goes to Yuliani, who gets a confirmation with her own invitation.
    stack.call("DELETE", f"{reg}/v1/registrations/{dewi['id']}", 200, kominfo_key)
    box.wait(mails=13, texts=11)
    cancel = calendar_entry(invitation(box.one_mail("dewi.anggraini@kominfo.go.id", "cancelled")))
    assert cancel["method"] == "CANCEL" and cancel["uid"] == first_invites["dewi"]["uid"]
    assert cancel["sequence"] > first_invites["dewi"]["sequence"]
    promotion_mail = box.one_mail("yuliani.puspita@jabarprov.go.id", "promoted")
    promotion = calendar_entry(invitation(promotion_mail))
    assert promotion["method"] == "REQUEST" and promotion["uid"] == f"registration-{yuliani['id']}@rakor"
    yuliani_now = stack.call("GET", f"{reg}/v1/registrations/{yuliani['id']}", 200, jabar_key).json()
    assert yuliani_now["status"] == "confirmed" and yuliani_now["check_in_code"] in plain_text(promotion_mail)
    assert any(yuliani_now["check_in_code"] in t for t in box.texts(phones["yuliani"]))
    assert len(box.texts(phones["dewi"])) == 2

    # The organizer moves the start by an hour: every active participant hears, with a newer invitation.
    moved_start = dt.datetime.fromisoformat(meeting["starts_at"]) + dt.timedelta(hours=1)
    changed = stack.call(
        "PATCH",
        f"{reg}/v1/events/{event_id}",
        200,
        admin,
        json={"starts_at": moved_start.isoformat(), "ends_at": (moved_start + dt.timedelta(hours=3)).isoformat()},
    ).json()
    assert changed["sequence"] > meeting["sequence"]
    active = ("fajar", "rina", "budi", "siti", "agus", "yuliani", "hendra")
    box.wait(mails=20, texts=17)
    for name in active:
        mail = box.one_mail(people[name]["participant"]["email"], "meeting_updated", people[name]["participant"]["locale"])
        update = calendar_entry(invitation(mail))
        before = promotion if name == "yuliani" else first_invites[name]
        assert update["method"] == "REQUEST" and update["uid"] == before["uid"]
        assert update["sequence"] > before["sequence"]
        assert update["dtstart"] == moved_start
    assert box.mails("dewi.anggraini@kominfo.go.id", "meeting_updated") == []

    # At the door Yuliani shows the code of her promotion mail.
    code = re.search(r"Kode check-in: (\w+)", plain_text(promotion_mail)).group(1)
    checked = stack.call("POST", f"{reg}/v1/events/{event_id}/check-ins", 200, admin, json={"code": code}).json()
    assert checked["registration_id"] == yuliani["id"] and checked["checked_in_at"]

    # The attendance report: one check-in, one online join (Rina followed her link, Hendra did not).
    def report_with_join():
        report = stack.call("GET", f"{reg}/v1/events/{event_id}/attendance", 200, admin).json()
        return report if report["totals"]["joined_online"] == 1 else None

    report = wait_until(report_with_join, 15, "Rina's online join in the attendance report")
    rows = {row["registration_id"]: row for row in report["participants"]}
    assert rows[yuliani["id"]]["checked_in_at"] and rows[yuliani["id"]]["attended"]
    assert rows[rina["id"]]["online_joined_at"] and rows[rina["id"]]["online_join_count"] == 1 and rows[rina["id"]]["attended"]
    assert rows[hendra["id"]]["online_joined_at"] is None and not rows[hendra["id"]]["attended"]
    assert rows[fajar["id"]]["checked_in_at"] is None
    assert report["totals"]["checked_in"] == 1 and report["totals"]["attended"] == 2
    per_agency = {a["agency_name"]: a for a in report["agencies"]}
    assert per_agency[jabar["name"]]["checked_in"] == 1 and per_agency[kominfo["name"]]["joined_online"] == 1

    exported = stack.call("GET", f"{reg}/v1/events/{event_id}/attendance?format=csv", 200, admin)
    assert exported.headers["Content-Type"].startswith("text/csv")
    # UTF-8 with a BOM (for spreadsheets): a program reads it as utf-8-sig.
    assert exported.content.startswith(b"\xef\xbb\xbf")
    csv_rows = {row["registration_id"]: row for row in csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")))}
    assert csv_rows[yuliani["id"]]["checked_in_at"] and csv_rows[yuliani["id"]]["full_name"] == "Yuliani Puspita"
    assert csv_rows[rina["id"]]["online_joined_at"] and csv_rows[rina["id"]]["online_join_count"] == "1"
    assert csv_rows[hendra["id"]]["online_joined_at"] == ""
    assert len(csv_rows) == len(rows)

    # Every message went out once, at the first attempt, and each attempt is on record (the bulk summary too).
    stats = stack.call("GET", f"{stack.notification}/v1/notifications/stats", 200, admin).json()
    assert stats["by_status"] == {"sent": 37} and stats["attempts"] == 37
    assert stats["by_channel"] == {"email": {"sent": 20}, "sms": {"sent": 17}}

    # A second meeting tells people on WhatsApp, with an SMS only when WhatsApp does not arrive.
    webinar = stack.call(
        "POST",
        f"{reg}/v1/events",
        201,
        admin,
        json=make_meeting(
            title="Webinar Pranata Humas: Literasi Digital", in_person_capacity=0, channels=["email", "whatsapp", "sms_fallback"]
        ),
    ).json()
    wulan = stack.call(
        "POST",
        f"{reg}/v1/events/{webinar['id']}/registrations",
        201,
        kominfo_key,
        json=make_participant("Wulan Sari", "wulan.sari@kominfo.go.id", "online", "0813-8888-0009"),
    ).json()
    [to_wulan] = whatsapp_api.wait_for(1, timeout=20)
    assert to_wulan["to"] == "6281388880009" and to_wulan["template"] == "rakor_konfirmasi" and to_wulan["body"][0] == "Wulan Sari"
    # The fake has the message once it answers, the worker records its wamid only when it commits the
    # outcome a moment later; a receipt before that is ignored (unknown id), so wait as Meta's would.
    wulan_ledger = f"{stack.notification}/v1/registrations/{wulan['id']}/notifications"
    wait_until(
        lambda: ("whatsapp", "sent") in [(i["channel"], i["status"]) for i in stack.call("GET", wulan_ledger, 200, admin).json()["items"]],
        20,
        "Wulan's WhatsApp send on record",
    )
    for status in ("read", "delivered"):  # out of order, as phones report them
        assert (
            whatsapp_api.post_status(f"{stack.notification}/webhooks/whatsapp", WHATSAPP_APP_SECRET, to_wulan["wamid"], status).status_code
            == 200
        )
    whatsapp_api.respond_next(400, _error(131026, "Message undeliverable", "Receiver is incapable of receiving this message"))
    stack.call(
        "POST",
        f"{reg}/v1/events/{webinar['id']}/registrations",
        201,
        jabar_key,
        json=make_participant("Joko Prasetyo", "joko.prasetyo@jabarprov.go.id", "online", "0813-9999-0010"),
    )
    box.wait(mails=22, texts=18)  # two confirmations by mail; only Joko's number falls back to SMS
    [fallback] = box.texts("+6281399990010")
    assert "Joko Prasetyo" in fallback and box.texts("+6281388880009") == []

    ledger = stack.call("GET", f"{stack.notification}/v1/registrations/{wulan['id']}/notifications", 200, admin).json()["items"]
    assert [(i["channel"], i["status"]) for i in ledger] == [("email", "sent"), ("whatsapp", "read")]
    assert ledger[1]["delivered_at"] and ledger[1]["read_at"]
    webinar_stats = stack.call("GET", f"{stack.notification}/v1/notifications/stats?event_id={webinar['id']}", 200, admin).json()
    assert webinar_stats["by_channel"] == {"email": {"sent": 2}, "whatsapp": {"read": 1, "failed": 1}, "sms": {"sent": 1}}
    assert webinar_stats["read"] == 1 and webinar_stats["delivered"] == 1
