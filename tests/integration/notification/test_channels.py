"""The channels against real servers: SMTP pool (STARTTLS, AUTH, reuse, reconnect, timeouts), .eml files, SMS providers."""

from __future__ import annotations

import email
import json
import threading
from email import policy
from email.message import EmailMessage

import pytest

from services.notification.channels.smtp_pool import SmtpPool
from services.notification.domain.delivery import PermanentFailure, TransientFailure
from tests.factories.notification import make_participant, make_registration
from tests.fixtures.smtp import SMTP_PASSWORD, SMTP_USER, _free_port
from tests.integration.notification.conftest import Harness, notification_env


def _mail(n: int = 1) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Panitia Rakor <rakor@kominfo.go.id>"
    message["To"] = f"peserta{n}@bkn.go.id"
    message["Subject"] = f"Uji {n}"
    message.set_content("Isi surel uji.")
    return message


def _send(pool: SmtpPool, n: int = 1) -> str:
    return pool.send(_mail(n), "rakor@kominfo.go.id", [f"peserta{n}@bkn.go.id"])


def test_starttls_and_login_deliver_over_one_connection(smtp_server_tls):
    pool = SmtpPool(
        smtp_server_tls.host,
        smtp_server_tls.port,
        starttls=True,
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        ssl_context=smtp_server_tls.client_ssl_context(),
        timeout=5,
    )
    for n in range(3):
        _send(pool, n)
    assert [m.message["Subject"] for m in smtp_server_tls.wait_for(3)] == ["Uji 0", "Uji 1", "Uji 2"]
    assert smtp_server_tls.connections == 1
    pool.close()


def test_smtp_tls_starttls_mode_logs_in_after_starttls(smtp_server_tls):
    pool = SmtpPool(
        smtp_server_tls.host,
        smtp_server_tls.port,
        tls="starttls",
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        ssl_context=smtp_server_tls.client_ssl_context(),
        timeout=5,
    )
    _send(pool, 1)
    assert len(smtp_server_tls.wait_for(1)) == 1
    pool.close()


def test_smtp_login_without_tls_is_refused_before_any_connection():
    with pytest.raises(ValueError, match="STARTTLS or SMTPS"):
        SmtpPool("127.0.0.1", 25, tls="none", username=SMTP_USER, password=SMTP_PASSWORD)


def test_starttls_against_a_server_without_it_sends_nothing(smtp_server):
    # A relay that does not offer STARTTLS (or a downgrade by someone on the path) never sees the login.
    pool = SmtpPool(smtp_server.host, smtp_server.port, tls="starttls", username=SMTP_USER, password=SMTP_PASSWORD, timeout=5)
    with pytest.raises(TransientFailure, match="session setup failed"):
        _send(pool)
    assert smtp_server.messages == []


def test_smtps_mode_speaks_tls_from_the_first_byte(smtp_server):
    # A plain server answering an SMTPS client: the TLS handshake fails, nothing is sent in clear.
    pool = SmtpPool(smtp_server.host, smtp_server.port, tls="ssl", timeout=3)
    with pytest.raises(TransientFailure):
        _send(pool)
    assert smtp_server.messages == []


def test_wrong_password_is_transient(smtp_server_tls):
    pool = SmtpPool(
        smtp_server_tls.host,
        smtp_server_tls.port,
        starttls=True,
        username=SMTP_USER,
        password="salah",
        ssl_context=smtp_server_tls.client_ssl_context(),
        timeout=5,
    )
    with pytest.raises(TransientFailure, match="login refused"):
        _send(pool)


def test_parallel_senders_share_at_most_pool_size_connections(smtp_server):
    smtp_server.delay_per_command(0.01)
    pool = SmtpPool(smtp_server.host, smtp_server.port, size=3, timeout=5)
    threads = [threading.Thread(target=lambda k=k: [_send(pool, k * 10 + i) for i in range(5)]) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(smtp_server.wait_for(30)) == 30
    assert smtp_server.connections <= 3
    pool.close()


def test_dropped_connection_is_reopened_without_failing_the_mail(smtp_server):
    pool = SmtpPool(smtp_server.host, smtp_server.port, timeout=5)
    _send(pool, 1)
    smtp_server.drop_connections()
    _send(pool, 2)
    assert len(smtp_server.wait_for(2)) == 2
    assert smtp_server.connections == 2


def test_421_on_a_kept_connection_reconnects_and_sends(smtp_server):
    pool = SmtpPool(smtp_server.host, smtp_server.port, timeout=5)
    _send(pool, 1)
    smtp_server.fail_next(421, message="closing idle connection")
    _send(pool, 2)
    assert len(smtp_server.wait_for(2)) == 2


def test_451_is_transient_and_550_permanent_and_the_connection_stays_usable(smtp_server):
    pool = SmtpPool(smtp_server.host, smtp_server.port, timeout=5)
    smtp_server.fail_next(451)
    with pytest.raises(TransientFailure, match="451"):
        _send(pool, 1)
    smtp_server.fail_next(550)
    with pytest.raises(PermanentFailure, match="550"):
        _send(pool, 2)
    _send(pool, 3)
    assert len(smtp_server.wait_for(1)) == 1
    assert smtp_server.connections == 1


def test_unreachable_server_is_transient():
    pool = SmtpPool("127.0.0.1", _free_port(), timeout=2)
    with pytest.raises(TransientFailure, match="cannot connect"):
        _send(pool)


def test_slow_server_times_out_as_transient(smtp_server):
    smtp_server.delay_per_command(1.0)
    pool = SmtpPool(smtp_server.host, smtp_server.port, timeout=0.3)
    with pytest.raises(TransientFailure, match="timeout|timed out"):
        _send(pool)


def test_tls_server_through_the_settings(database_url, smtp_server_tls, tmp_path):
    harness = Harness(notification_env(database_url, tmp_path, **smtp_server_tls.env()), ssl_context=smtp_server_tls.client_ssl_context())
    try:
        registration = make_registration(participant=make_participant(phone=None))
        assert harness.deliver("registration.confirmed", registration).action == "ack"
        [mail] = smtp_server_tls.wait_for(1)
        assert mail.rcpt_tos == [registration["participant"]["email"]]
    finally:
        harness.close()


def test_without_smtp_host_mail_is_written_as_eml_and_sms_to_the_log(tmp_path, sqlite_url_factory):
    harness = Harness(notification_env(sqlite_url_factory(), tmp_path))
    try:
        registration = make_registration()
        assert harness.deliver("registration.confirmed", registration).action == "ack"
        [eml] = list((tmp_path / "mail").glob("*.eml"))
        message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert message["To"].addresses[0].addr_spec == registration["participant"]["email"]
        assert message["Subject"].startswith("Konfirmasi Pendaftaran")
        [line] = (tmp_path / "sms.log").read_text().splitlines()
        logged = json.loads(line)
        assert logged["to"] == registration["participant"]["phone"] and logged["encoding"] == "gsm7" and logged["segments"] == 2
        [email_row] = harness.notifications(channel="email")
        assert email_row.provider_id == eml.name
    finally:
        harness.close()


def test_twilio_adapter_posts_the_form_and_keeps_the_sid(tmp_path, sqlite_url_factory, sms_gateway):
    harness = Harness(notification_env(sqlite_url_factory(), tmp_path, **sms_gateway.twilio_env()))
    try:
        registration = make_registration(participant=make_participant(locale="en"))
        assert harness.deliver("registration.confirmed", registration).action == "ack"
        [sms] = sms_gateway.wait_for(1)
        assert sms["api"] == "twilio" and sms["to"] == registration["participant"]["phone"] and sms["from"] == "+15005550006"
        assert sms["message"].startswith("Dear ")
        [row] = harness.notifications(channel="sms")
        assert row.provider_id == sms["provider_id"] and row.provider_id.startswith("SM")
    finally:
        harness.close()


def test_twilio_4xx_is_permanent(tmp_path, sqlite_url_factory, sms_gateway):
    harness = Harness(notification_env(sqlite_url_factory(), tmp_path, **sms_gateway.twilio_env()))
    try:
        sms_gateway.respond_next(400, body={"code": 21211, "message": "The 'To' number is not a valid phone number."})
        assert harness.deliver("registration.confirmed", make_registration()).action == "ack"
        [row] = harness.notifications(channel="sms")
        assert row.status == "failed" and "21211" in row.last_error
    finally:
        harness.close()


def test_sms_gateway_5xx_and_unreachable_are_transient(tmp_path, sqlite_url_factory, sms_gateway):
    harness = Harness(notification_env(sqlite_url_factory(), tmp_path, **sms_gateway.env()))
    try:
        sms_gateway.respond_next(503)
        outcome = harness.deliver("registration.confirmed", make_registration())
        assert outcome.action == "retry"
        [row] = harness.notifications(channel="sms")
        assert row.status == "retrying" and "503" in row.last_error
    finally:
        harness.close()


def test_provider_sessions_take_the_proxy_from_the_environment_once(monkeypatch, sms_gateway):
    # A gateway behind an outbound proxy: the sender built while HTTP_PROXY names the proxy (here
    # the fake gateway itself, which then sees the absolute URI a proxy gets) keeps using it after
    # the environment changes, because the environment is read when the sender is built.
    from services.notification.channels.sms_senders import HttpSmsSender
    from services.notification.domain.sms_text import prepare_sms

    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{sms_gateway.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    proxied = HttpSmsSender("http://sms-gateway.invalid/messages", sms_gateway.api_key, timeout=5)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = HttpSmsSender(sms_gateway.url, sms_gateway.api_key, timeout=5)
    monkeypatch.delenv("HTTP_PROXY")
    try:
        with pytest.raises(PermanentFailure, match="404"):
            proxied.send("+6281234567890", prepare_sms("Uji lewat proksi."), "ref-proxy")
        assert sms_gateway.requests[-1]["path"] == "http://sms-gateway.invalid/messages"
        assert direct.send("+6281234567890", prepare_sms("Uji langsung."), "ref-direct").startswith("sms-")
        assert sms_gateway.requests[-1]["path"] == "/messages"
    finally:
        proxied.close()
        direct.close()
