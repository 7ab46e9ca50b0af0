"""A participant's messages page: linked from the meeting's registrations table, showing the notification ledger."""

from __future__ import annotations

import threading

import pytest
import requests
from werkzeug.serving import make_server

from services.notification.app import create_app as create_notification_app
from tests.factories.notification import make_meeting, make_participant, make_registration
from tests.integration.console.conftest import ADMIN_TOKEN
from tests.integration.notification.conftest import Harness, notification_env


@pytest.fixture
def notification(sqlite_url_factory, smtp_server, sms_gateway, whatsapp_api, tmp_path):
    """The notification API on a real port, with the harness that feeds it bus events."""
    env = notification_env(
        sqlite_url_factory(), tmp_path, **smtp_server.env(), **sms_gateway.env(), **whatsapp_api.env(), RAKOR_ADMIN_TOKEN=ADMIN_TOKEN
    )
    harness = Harness(env)
    server = make_server("127.0.0.1", 0, create_notification_app(harness.settings, channels=harness.channels), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    assert requests.get(f"{url}/healthz", timeout=5).status_code == 200
    yield harness, url
    server.shutdown()
    harness.close()


def test_the_registrations_table_links_each_participant_to_their_messages(console_factory, registration, notification, whatsapp_api):
    harness, url = notification
    meeting = registration.make_meeting(channels=["email", "whatsapp"])
    registered = registration.register(registration.make_agency(), meeting["id"], full_name="Siti Nurhaliza Putri")
    whatsapp_api.invalid_number()
    person = make_participant(full_name="Siti Nurhaliza Putri")
    harness.deliver(
        "registration.confirmed",
        make_registration(
            registration_id=registered["id"], participant=person, meeting=make_meeting(id=meeting["id"], channels=["email", "whatsapp"])
        ),
    )

    console = console_factory(NOTIFICATION_URL=url)
    assert console.sign_in().status_code == 302
    show = console.get(f"/meetings/{meeting['id']}").text
    link = f"/meetings/{meeting['id']}/registrations/{registered['id']}/messages"
    assert f'href="{link}"' in show
    page = console.get(link).text
    assert "Riwayat pesan peserta" in page and 'data-testid="ledger"' in page
    assert 'data-status="sent"' in page and 'data-status="failed"' in page and "WhatsApp" in page and "131026" in page
    empty = console.get(f"/meetings/{meeting['id']}/registrations/reg-tanpa-pesan/messages").text
    assert "Belum ada pesan." in empty
