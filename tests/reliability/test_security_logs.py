"""No personal data or secret in any log line: every process of the suite at DEBUG, a full run, every line scanned.

The three APIs run under gunicorn with the production config (access log on), next to the relays and
workers, against the test vhost, a real SMTP server and a real SMS gateway. Participants are
registered with emails and mobile numbers in every accepted format, confirmations and personal links
go out by mail and SMS, a link is opened, a registration cancelled, and requests carry an email in
their query string. Then no process output may hold a clear email, a phone number in any notation,
an agency API key or a join token; and the streaming database holds no join token in clear.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import requests

from tests.fixtures.processes import free_port
from tests.reliability.test_security_access import every_stored_value

ADMIN_TOKEN = "uji-token-admin-rakor-log-pribadi"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

# (email, phone as the agency sends it, national significant number) — 08…, +62…, 62… and with dashes.
PARTICIPANTS = [
    ("dewi.anggraini@kominfo.go.id", "081234567801", "81234567801"),
    ("Bambang.Sutrisno@jabarprov.go.id", "+6281234567802", "81234567802"),
    ("rina.marlina@surabaya.go.id", "6281234567803", "81234567803"),
    ("agus.wijaya@kemenkeu.go.id", "0812-3456-7804", "81234567804"),
]


def phone_notations(nsn: str) -> list[str]:
    """Every way the number could be written: digits run together or split by spaces or dashes."""
    return [nsn, "0" + nsn, "62" + nsn, "+62" + nsn, f"0{nsn[:3]}-{nsn[3:7]}-{nsn[7:]}", f"+62 {nsn[:3]}-{nsn[3:7]}-{nsn[7:]}"]


def leaks(output: str, needle_emails: list[str], nsns: list[str], secrets: list[str]) -> list[str]:
    found = []
    lowered = output.lower()
    for email in needle_emails:
        if email.lower() in lowered:
            found.append(f"email {email}")
    # Separators removed, so a number split by spaces or dashes is caught too; masking keeps 3 digits.
    digits_only = re.sub(r"(?<=\d)[ -](?=\d)", "", output)
    for nsn in nsns:
        if nsn in digits_only:
            found.append(f"phone {nsn}")
    for secret in secrets:
        if secret in output:
            found.append(f"secret {secret[:6]}…")
    return found


@pytest.mark.slow
def test_no_email_phone_key_or_token_in_any_log_line_of_a_full_run(start_process, tmp_path, amqp_url, bus, smtp_server, sms_gateway):
    env = {
        "RAKOR_ADMIN_TOKEN": ADMIN_TOKEN,
        "RABBITMQ_URL": amqp_url,
        "LOG_LEVEL": "DEBUG",
        "SMTP_FROM": "Panitia Rakor <rakor@kominfo.go.id>",
        "GUNICORN_HOST": "127.0.0.1",
        "GUNICORN_WORKERS": "1",
        "RELAY_POLL_INTERVAL": "0.05",
        **smtp_server.env(),
        **sms_gateway.env(),
    }
    processes = {}
    urls = {}
    ports = {service: free_port() for service in ("registration", "notification", "streaming")}
    # Streaming writes join links under it; notification sends only links that lie under it.
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{ports['streaming']}"
    for service in ("registration", "notification", "streaming"):
        directory = tmp_path / service
        directory.mkdir()
        port = ports[service]
        service_env = {
            **env,
            "DATA_DIR": str(directory),
            "DATABASE_URL": f"sqlite:///{directory / (service + '.db')}",
            f"{service.upper()}_PORT": str(port),
        }
        processes[f"{service}-api"] = start_process(
            ["python", "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", f"services.{service}.app:create_app()"],
            env=service_env,
            health_url=f"http://127.0.0.1:{port}/healthz",
            timeout=60,
        )
        urls[service] = f"http://127.0.0.1:{port}"
        roles = {"registration": ("relay", "worker"), "notification": ("worker",), "streaming": ("worker", "relay")}[service]
        for role in roles:
            processes[f"{service}-{role}"] = start_process(["python", "-m", f"services.{service}.{role}"], env=service_env)

    reg, stream = urls["registration"], urls["streaming"]
    agency = requests.post(
        f"{reg}/v1/agencies",
        json={"name": "Biro Humas Kementerian Kominfo", "kind": "ministry", "contact_email": "humas.biro@kominfo.go.id"},
        headers=ADMIN,
        timeout=10,
    )
    assert agency.status_code == 201, agency.text
    api_key = agency.json()["api_key"]
    as_agency = {"Authorization": f"Bearer {api_key}"}
    meeting = requests.post(
        f"{reg}/v1/events",
        json={
            "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
            # Starting soon: personal links lead to the meeting (and log a join) only from 30 minutes before.
            "starts_at": (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)).isoformat(),
            "ends_at": (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat(),
            "venue": {"name": "Hotel Aviary", "address": "Jl. Raya Sudimara Pinang No. 88, Bintaro", "city": "Tangerang Selatan"},
            "in_person_capacity": 1,
        },
        headers=ADMIN,
        timeout=10,
    ).json()
    event_id = meeting["id"]
    zoom = requests.put(
        f"{stream}/v1/events/{event_id}/channels/zoom",
        json={"url": "https://us02web.zoom.us/j/81234567890", "passcode": "humas21"},
        headers=ADMIN,
        timeout=10,
    )
    assert zoom.status_code == 200, zoom.text
    assert requests.post(f"{stream}/v1/events/{event_id}/publish", headers=ADMIN, timeout=10).status_code == 202

    registration_ids = []
    for n, (email, phone, _nsn) in enumerate(PARTICIPANTS):
        body = {"full_name": f"Peserta Rakor {n}", "email": email, "phone": phone, "attendance_mode": "in_person" if n < 2 else "online"}
        response = requests.post(f"{reg}/v1/events/{event_id}/registrations", json=body, headers=as_agency, timeout=10)
        assert response.status_code == 201, response.text
        registration_ids.append(response.json()["id"])
    # Hostile and careless requests: a duplicate, an invalid phone, personal data in query strings.
    assert (
        requests.post(
            f"{reg}/v1/events/{event_id}/registrations",
            json={"full_name": "Dewi", "email": PARTICIPANTS[0][0], "attendance_mode": "online"},
            headers=as_agency,
            timeout=10,
        ).status_code
        == 409
    )
    assert (
        requests.post(
            f"{reg}/v1/events/{event_id}/registrations",
            json={"full_name": "Agus", "email": "agus.lain@kemenkeu.go.id", "phone": "0812-34", "attendance_mode": "online"},
            headers=as_agency,
            timeout=10,
        ).status_code
        == 422
    )
    requests.get(f"{reg}/v1/events/{event_id}/registrations", params={"status": PARTICIPANTS[1][0]}, headers=as_agency, timeout=10)
    requests.get(f"{urls['notification']}/v1/notifications", params={"registration_id": PARTICIPANTS[2][1]}, headers=ADMIN, timeout=10)

    # 4 confirmations/waitlist notices + 2 personal links by mail, the same by SMS.
    smtp_server.wait_for(6, timeout=60)
    sms = sms_gateway.wait_for(6, timeout=60)
    tokens = sorted({match for message in sms for match in re.findall(r"/j/([A-Za-z0-9_-]{20,})", message["message"])})
    assert len(tokens) == 2, [message["message"] for message in sms]
    opened = requests.get(f"{stream}/j/{tokens[0]}", allow_redirects=False, timeout=10)
    assert opened.status_code == 302
    assert requests.delete(f"{reg}/v1/registrations/{registration_ids[0]}", headers=as_agency, timeout=10).status_code == 200
    smtp_server.wait_for(7, timeout=60)
    sms_gateway.wait_for(7, timeout=60)  # the cancellation notice

    outputs = {name: handle.output() for name, handle in processes.items()}
    assert sum(len(text.splitlines()) for text in outputs.values()) > 40, "DEBUG logging produced too few lines to prove anything"
    assert "/j/<token>" in outputs["streaming-api"], "the access log is on and redacts the join link"
    emails = [email for email, _phone, _nsn in PARTICIPANTS] + ["humas.biro@kominfo.go.id"]
    nsns = [nsn for _email, _phone, nsn in PARTICIPANTS]
    found = {name: leaks(text, emails, nsns, [api_key, *tokens]) for name, text in outputs.items()}
    assert not any(found.values()), {name: hits for name, hits in found.items() if hits}

    # The outbox row of stream.link_issued carries the link by contract (the mail needs it); every
    # table of the service's own state keeps only the token's hash.
    stored = every_stored_value(tmp_path / "streaming" / "streaming.db", skip_tables=("outbox",))
    assert len(stored) > 20
    assert not [value for value in stored for token in tokens if token in value], "a join token is stored in clear"
