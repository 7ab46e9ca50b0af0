"""A Zoom participant report through the real processes and broker: imported on streaming, totals on the bus,
attendance and certificates on registration judged by the meeting's minimum online minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests

from tests.e2e.test_whole_story import make_participant
from tests.fixtures.polling import wait_until
from tests.fixtures.processes import free_port, gunicorn_argv

ADMIN_TOKEN = "uji-token-admin-rakor-presensi-zoom"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
RETRY_DELAYS = (0.5, 1.0)
WIB = dt.timezone(dt.timedelta(hours=7))

# As Zoom exports it: Rina stays the whole morning from two devices at once, Budi drops out and comes back
# for 40 minutes in all, Hendra is a guest without his office email, Dewi never appears.
REPORT = (
    "\ufeffMeeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\r\n"
    "812 3456 7890,Rakor Pranata Humas,12/01/2021 08:50:00 AM,12/01/2021 12:05:00 PM,humas@kominfo.go.id,195,4\r\n"
    "\r\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,In Waiting Room\r\n"
    "Rina Wulandari,rina.wulandari@kominfo.go.id,12/01/2021 08:58:00 AM,12/01/2021 11:00:00 AM,123,No,No\r\n"
    "Rina Wulandari (iPad),rina.wulandari@kominfo.go.id,12/01/2021 10:30:00 AM,12/01/2021 12:00:00 PM,90,No,No\r\n"
    "Budi Santoso,budi.santoso@jabarprov.go.id,12/01/2021 09:00:00 AM,12/01/2021 09:25:00 AM,25,No,No\r\n"
    "Budi Santoso,budi.santoso@jabarprov.go.id,12/01/2021 10:00:00 AM,12/01/2021 10:15:00 AM,15,No,No\r\n"
    "Hendra (HP),,12/01/2021 09:00:00 AM,12/01/2021 12:00:00 PM,180,Yes,No\r\n"
).encode("utf-8")


class Services:
    """Registration and streaming (API, relay, worker each) on their own SQLite files, sharing the test's vhost."""

    def __init__(self, start_process, data_dir, amqp_url) -> None:
        ports = {"registration": free_port(), "streaming": free_port()}
        base = {
            "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
            "RABBITMQ_URL": amqp_url,
            "LOG_LEVEL": "WARNING",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{ports['streaming']}",
            "RETRY_DELAYS": ",".join(str(d) for d in RETRY_DELAYS),
        }
        processes = {}
        for service, port in ports.items():
            directory = data_dir / service
            directory.mkdir()
            env = {
                **base,
                "DATA_DIR": str(directory),
                f"{service.upper()}_DATABASE_URL": f"sqlite:///{directory / (service + '.db')}",
                f"{service.upper()}_PORT": str(port),
            }
            processes[f"{service}-api"] = start_process(gunicorn_argv(f"services.{service}.app:create_app()", port, workers=1), env=env)
            for role in ("relay", "worker"):
                processes[f"{service}-{role}"] = start_process(["python", "-m", f"services.{service}.{role}"], env=env)
        for service, port in ports.items():
            processes[f"{service}-api"].wait_healthy(f"http://127.0.0.1:{port}/healthz", timeout=60)
        self.registration, self.streaming = (f"http://127.0.0.1:{ports[s]}" for s in ("registration", "streaming"))

    def call(self, method: str, url: str, status: int, headers: dict | None = None, **kwargs) -> Any:
        response = requests.request(method, url, headers=headers or ADMIN, timeout=10, **kwargs)
        assert response.status_code == status, f"{method} {url}: {response.status_code} {response.text}"
        return response.json()


@pytest.fixture
def services(start_process, tmp_path, amqp_url, bus) -> Services:
    bus.declare_topology(RETRY_DELAYS)
    return Services(start_process, tmp_path, amqp_url)


def test_a_zoom_report_decides_online_attendance_and_certificates(services):
    s = services
    meeting = s.call(
        "POST",
        f"{s.registration}/v1/events",
        201,
        json={
            "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
            "starts_at": "2021-12-01T09:00:00+07:00",
            "ends_at": "2021-12-01T12:00:00+07:00",
            "timezone": "Asia/Jakarta",
            "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro"},
            "in_person_capacity": 10,
            "min_online_minutes": 60,
        },
    )
    event_id = meeting["id"]
    agency = s.call(
        "POST",
        f"{s.registration}/v1/agencies",
        201,
        json={"name": "Kementerian Komunikasi dan Informatika", "kind": "ministry", "contact_email": "humas@kominfo.go.id"},
    )
    key = {"Authorization": f"Bearer {agency['api_key']}"}
    people = {
        name: s.call(
            "POST", f"{s.registration}/v1/events/{event_id}/registrations", 201, headers=key, json=make_participant(full, email, mode)
        )
        for name, full, email, mode in (
            ("rina", "Rina Wulandari", "Rina.Wulandari@kominfo.go.id", "online"),
            ("budi", "Budi Santoso", "budi.santoso@jabarprov.go.id", "online"),
            ("dewi", "Dewi Lestari", "dewi.lestari@bkn.go.id", "online"),
            ("ahmad", "Ahmad Fauzi", "ahmad.fauzi@kominfo.go.id", "in_person"),
        )
    }
    s.call("POST", f"{s.registration}/v1/events/{event_id}/check-ins", 200, json={"code": people["ahmad"]["check_in_code"]})

    def imported():
        # Importing again is harmless, so the report is simply sent until streaming has heard of the meeting
        # (404 until event.created has crossed the bus) and of its registrations.
        answer = requests.post(
            f"{s.streaming}/v1/events/{event_id}/online-attendance", data=REPORT, headers={**ADMIN, "Content-Type": "text/csv"}, timeout=30
        )
        if answer.status_code == 404:
            return None
        assert answer.status_code == 200, answer.text
        result = answer.json()
        return result if result["matched"] == 4 else None

    result = wait_until(imported, 30, "streaming matching the report's rows to the online registrations")
    assert {r["registration_id"]: r["minutes"] for r in result["registrations"]} == {people["rina"]["id"]: 182, people["budi"]["id"]: 40}
    assert [(u["row"], u["reason"]) for u in result["unmatched"]] == [(9, "no_email")]

    def reported():
        report = s.call("GET", f"{s.registration}/v1/events/{event_id}/attendance", 200)
        rows = {p["registration_id"]: p for p in report["participants"]}
        return (
            rows
            if rows[people["budi"]["id"]]["online_minutes"] is not None and rows[people["rina"]["id"]]["online_minutes"] is not None
            else None
        )

    rows = wait_until(reported, 30, "registration receiving stream.presence_recorded")
    assert (rows[people["rina"]["id"]]["online_minutes"], rows[people["rina"]["id"]]["attended"]) == (182, True)
    assert (rows[people["budi"]["id"]]["online_minutes"], rows[people["budi"]["id"]]["attended"]) == (40, False)
    assert (rows[people["dewi"]["id"]]["online_minutes"], rows[people["dewi"]["id"]]["attended"]) == (None, False)
    assert rows[people["ahmad"]["id"]]["attended"] is True
    assert rows[people["rina"]["id"]]["first_join_at"] == "2021-12-01T01:58:00+00:00"

    assert s.call("POST", f"{s.registration}/v1/events/{event_id}/certificates", 202) == {"issued": 2, "already_issued": 0}
    certificates = s.call("GET", f"{s.registration}/v1/events/{event_id}/certificates", 200)
    assert {c["registration_id"] for c in certificates} == {people["rina"]["id"], people["ahmad"]["id"]}

    # The same report again: nothing changes anywhere.
    again = s.call(
        "POST", f"{s.streaming}/v1/events/{event_id}/online-attendance", 200, data=REPORT, headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert not any(r["changed"] for r in again["registrations"])
    assert s.call("POST", f"{s.registration}/v1/events/{event_id}/certificates", 202) == {"issued": 0, "already_issued": 2}
