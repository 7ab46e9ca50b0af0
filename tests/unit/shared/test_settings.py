"""load_settings: every variable's parsing, and one line naming the variable when it is wrong."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import shared.settings as settings_module
from shared.settings import KNOWN_VARIABLES, SERVICES, SettingsError, load_settings, settings_or_exit

ADMIN_TOKEN = "rakor-ikp-kominfo-2021-token"


def make_env(**overrides: str) -> dict[str, str]:
    """A minimal valid environment plus `overrides` (dev: production's own checks are tested below)."""
    env = {"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN, "RAKOR_ENV": "dev"}
    env.update(overrides)
    return env


def load(service: str = "registration", **overrides: str):
    return load_settings(service, environ=make_env(**overrides))


def error_of(service: str = "registration", **overrides: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load(service, **overrides)
    return str(caught.value)


# --- defaults -------------------------------------------------------------------------------------


def test_defaults_without_any_optional_variable():
    settings = load()
    assert settings.port == 8001
    assert settings.rabbitmq_url == "amqp://guest:guest@localhost:5672/%2F"
    assert settings.public_base_url == "http://localhost:8003"
    assert settings.log_level == "INFO"
    assert settings.max_body_bytes == 2 * 1024 * 1024
    assert settings.retry_delays == (5, 30, 120, 600, 3600)
    assert settings.sms_provider == "log"
    assert settings.smtp_starttls is False and settings.smtp_tls == "none"
    assert settings.smtp_from == "Rakor <no-reply@rakor.local>"
    assert settings.stream_allowed_hosts == ("zoom.us", "youtube.com", "youtu.be")
    assert settings.twilio_base_url == "https://api.twilio.com"
    assert settings.join_opens_minutes == 30


@pytest.mark.parametrize("service, port", [("registration", 8001), ("notification", 8002), ("streaming", 8003)])
def test_each_service_has_its_own_default_port(service, port):
    assert load(service).port == port


def test_unknown_service_is_refused():
    with pytest.raises(SettingsError, match="unknown service 'billing'"):
        load_settings("billing", environ=make_env())


# --- integers, floats, booleans ------------------------------------------------------------------

INT_VARIABLES = [
    # (variable, attribute, good value, parsed, bad values out of range)
    ("REGISTRATION_PORT", "port", "9101", 9101, ["0", "65536", "-1"]),
    ("MAX_BODY_BYTES", "max_body_bytes", "4096", 4096, ["1023"]),
    ("CONSUMER_PREFETCH", "consumer_prefetch", "64", 64, ["0", "10001"]),
    ("CONSUMER_CONCURRENCY", "consumer_concurrency", "8", 8, ["0", "257"]),
    ("RELAY_BATCH_SIZE", "relay_batch_size", "100", 100, ["0", "10001"]),
    ("SMTP_PORT", "smtp_port", "1025", 1025, ["0", "70000"]),
    ("SMTP_POOL_SIZE", "smtp_pool_size", "2", 2, ["0", "257"]),
    ("AGENCY_RATE_LIMIT", "agency_rate_limit", "1200", 1200, ["0"]),
    ("JOIN_RATE_LIMIT", "join_rate_limit", "30", 30, ["-1"]),
    ("JOIN_OPENS_MINUTES", "join_opens_minutes", "0", 0, ["-1", "1441"]),
    ("AGENCY_DIGEST_MINUTES", "agency_digest_minutes", "15", 15, ["0", "10081"]),
]


@pytest.mark.parametrize("variable, attribute, raw, parsed, _bad", INT_VARIABLES)
def test_whole_number_variables_are_parsed(variable, attribute, raw, parsed, _bad):
    assert getattr(load(**{variable: raw}), attribute) == parsed


@pytest.mark.parametrize("variable, attribute, _raw, _parsed, _bad", INT_VARIABLES)
@pytest.mark.parametrize("text", ["abc", "12.5", "8o01"])
def test_whole_number_variables_name_themselves_when_not_a_number(variable, attribute, _raw, _parsed, _bad, text):
    message = error_of(**{variable: text})
    assert message == f"{variable}={text!r} is not a whole number"


@pytest.mark.parametrize(
    "variable, value",
    [(variable, value) for variable, _a, _r, _p, bad in INT_VARIABLES for value in bad],
)
def test_whole_number_variables_name_themselves_when_out_of_range(variable, value):
    message = error_of(**{variable: value})
    assert message.startswith(f"{variable}={value!r} must be ")
    assert "\n" not in message


@pytest.mark.parametrize("service", SERVICES)
def test_port_variable_is_per_service(service):
    variable = f"{service.upper()}_PORT"
    assert load(service, **{variable: "18080"}).port == 18080
    assert error_of(service, **{variable: "http"}) == f"{variable}='http' is not a whole number"


def test_port_of_another_service_is_ignored():
    assert load("registration", STREAMING_PORT="not-a-port").port == 8001


FLOAT_VARIABLES = [
    ("RELAY_POLL_INTERVAL", "relay_poll_interval", "0.2", 0.2),
    ("RELAY_LEASE_SECONDS", "relay_lease_seconds", "45", 45.0),
    ("SMTP_TIMEOUT", "smtp_timeout", "3.5", 3.5),
    ("SMS_TIMEOUT", "sms_timeout", "2", 2.0),
]


@pytest.mark.parametrize("variable, attribute, raw, parsed", FLOAT_VARIABLES)
def test_number_variables_are_parsed(variable, attribute, raw, parsed):
    assert getattr(load(**{variable: raw}), attribute) == parsed


@pytest.mark.parametrize("variable, _attribute, _raw, _parsed", FLOAT_VARIABLES)
@pytest.mark.parametrize(
    "text, complaint",
    [
        ("soon", "is not a number"),
        ("0", "must be greater than 0"),
        ("-1.5", "must be greater than 0"),
        ("nan", "must be"),
        ("inf", "must be"),
    ],
)
def test_number_variables_name_themselves_when_wrong(variable, _attribute, _raw, _parsed, text, complaint):
    message = error_of(**{variable: text})
    assert message.startswith(f"{variable}={text!r} ")
    assert complaint in message


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("on", True),
        (" On ", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_smtp_starttls_accepts_the_usual_spellings_of_a_boolean(raw, expected):
    assert load(SMTP_STARTTLS=raw).smtp_starttls is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "enabled"])
def test_smtp_starttls_names_itself_when_not_a_boolean(raw):
    assert error_of(SMTP_STARTTLS=raw) == f"SMTP_STARTTLS={raw!r} must be true or false"


# --- URLs -----------------------------------------------------------------------------------------

URL_VARIABLES = [
    # (variable, attribute, good values, bad values, schemes named in the error)
    (
        "RABBITMQ_URL",
        "rabbitmq_url",
        ["amqp://guest:guest@127.0.0.1:5672/%2F", "amqps://rabbit.kominfo.go.id/rakor"],
        ["http://127.0.0.1:5672", "127.0.0.1:5672", "amqp//guest@localhost", "amqp:"],
        "amqp:// or amqps://",
    ),
    (
        "SMS_GATEWAY_URL",
        "sms_gateway_url",
        ["http://127.0.0.1:9000/send", "https://sms.example.id/v1/messages"],
        ["ftp://sms.example.id", "sms.example.id/send", "https://", "http:sms.example.id"],
        "http:// or https://",
    ),
    (
        "PUBLIC_BASE_URL",
        "public_base_url",
        ["http://localhost:8003", "https://rakor.kominfo.go.id"],
        ["rakor.kominfo.go.id", "ws://rakor.kominfo.go.id", "https://", "https:rakor.kominfo.go.id"],
        "http:// or https://",
    ),
    ("TWILIO_BASE_URL", "twilio_base_url", ["http://127.0.0.1:9100"], ["api.twilio.com"], "http:// or https://"),
    (
        "REGISTRATION_PUBLIC_URL",
        "registration_public_url",
        ["http://localhost:8001", "https://rakor.kominfo.go.id"],
        ["rakor.kominfo.go.id/c", "https://"],
        "http:// or https://",
    ),
]


@pytest.mark.parametrize(
    "variable, attribute, value",
    [(v, a, value) for v, a, good, _bad, _s in URL_VARIABLES for value in good],
)
def test_url_variables_accept_their_schemes(variable, attribute, value):
    assert getattr(load(**{variable: value}), attribute) == value


@pytest.mark.parametrize(
    "variable, value, schemes",
    [(v, value, s) for v, _a, _good, bad, s in URL_VARIABLES for value in bad],
)
def test_url_variables_name_themselves_and_the_expected_schemes(variable, value, schemes):
    assert error_of(**{variable: value}) == f"{variable}={value!r} must be a URL starting with {schemes}"


@pytest.mark.parametrize("variable", ["PUBLIC_BASE_URL", "TWILIO_BASE_URL", "REGISTRATION_PUBLIC_URL"])
def test_base_urls_lose_their_trailing_slash(variable):
    settings = load(**{variable: "https://rakor.kominfo.go.id/"})
    assert getattr(settings, variable.lower()) == "https://rakor.kominfo.go.id"


def test_certificate_number_suffix_is_one_printable_line():
    assert load().certificate_number_suffix == "SERT/RAKOR"
    assert load(CERTIFICATE_NUMBER_SUFFIX=" SERT/DJIKP ").certificate_number_suffix == "SERT/DJIKP"
    assert "CERTIFICATE_NUMBER_SUFFIX" in error_of(CERTIFICATE_NUMBER_SUFFIX="SERT\nDJIKP")
    assert "at most 60" in error_of(CERTIFICATE_NUMBER_SUFFIX="X" * 61)


# --- admin token ------------------------------------------------------------------------------------


def test_missing_admin_token_is_refused_naming_the_variable():
    with pytest.raises(SettingsError) as caught:
        load_settings("registration", environ={})
    assert str(caught.value).startswith("RAKOR_ADMIN_TOKEN is required")


@pytest.mark.parametrize("token", ["x", "short-token", "a" * 15])
def test_admin_token_shorter_than_16_characters_is_refused(token):
    assert error_of(RAKOR_ADMIN_TOKEN=token) == "RAKOR_ADMIN_TOKEN must be at least 16 characters"


def test_admin_token_of_16_characters_is_accepted():
    assert load(RAKOR_ADMIN_TOKEN="a" * 16).admin_token == "a" * 16


def test_admin_token_may_be_absent_when_not_required():
    settings = load_settings("notification", environ={"RAKOR_ENV": "dev"}, require_admin_token=False)
    assert settings.admin_token == ""


def test_short_admin_token_is_refused_even_when_not_required():
    with pytest.raises(SettingsError, match="at least 16"):
        load_settings("notification", environ={"RAKOR_ADMIN_TOKEN": "short"}, require_admin_token=False)


# --- log level --------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, level", [("debug", "DEBUG"), ("WARNING", "WARNING"), ("", "INFO")])
def test_log_level_is_case_insensitive(raw, level):
    assert load(LOG_LEVEL=raw).log_level == level


def test_unknown_log_level_names_the_variable():
    assert error_of(LOG_LEVEL="verbose").startswith("LOG_LEVEL='verbose' must be one of DEBUG, INFO")


# --- SMS provider -----------------------------------------------------------------------------------

TWILIO = {"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "secret", "TWILIO_FROM": "+15005550006"}


@pytest.mark.parametrize(
    "env, provider",
    [
        ({}, "log"),
        ({"SMS_GATEWAY_URL": "http://127.0.0.1:9000/send"}, "http"),
        ({"SMS_GATEWAY_URL": "http://127.0.0.1:9000/send", "SMS_PROVIDER": "log"}, "log"),
        ({"SMS_PROVIDER": "HTTP", "SMS_GATEWAY_URL": "http://127.0.0.1:9000/send"}, "http"),
        ({"SMS_PROVIDER": "twilio", **TWILIO}, "twilio"),
        ({"SMS_PROVIDER": "Log"}, "log"),
    ],
)
def test_sms_provider_defaults_to_http_with_a_gateway_else_log(env, provider):
    assert load(**env).sms_provider == provider


@pytest.mark.parametrize(
    "env, message",
    [
        ({"SMS_PROVIDER": "whatsapp"}, "SMS_PROVIDER='whatsapp' must be http, twilio or log"),
        ({"SMS_PROVIDER": "http"}, "SMS_PROVIDER=http needs SMS_GATEWAY_URL"),
        ({"SMS_PROVIDER": "twilio"}, "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM"),
        ({"SMS_PROVIDER": "twilio", **{**TWILIO, "TWILIO_FROM": ""}}, "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID"),
        ({"SMS_PROVIDER": "twilio", **{**TWILIO, "TWILIO_AUTH_TOKEN": ""}}, "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID"),
    ],
)
def test_sms_provider_rules_name_the_missing_variables(env, message):
    assert error_of(**env).startswith(message)


def test_twilio_and_gateway_credentials_are_carried():
    settings = load(SMS_PROVIDER="twilio", SMS_API_KEY="k-123", **TWILIO)
    assert (settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from) == ("AC123", "secret", "+15005550006")
    assert settings.sms_api_key == "k-123"


# --- whatsapp ----------------------------------------------------------------------------------------

WHATSAPP = {
    "WHATSAPP_PROVIDER": "cloud",
    "WHATSAPP_TOKEN": "EAAG-uji",
    "WHATSAPP_PHONE_NUMBER_ID": "1098765",
    "WHATSAPP_TEMPLATES": '{"confirmed": {"id": "rakor_konfirmasi"}}',
}


def test_whatsapp_is_off_unless_named_and_cloud_carries_its_settings():
    assert load().whatsapp_provider == ""
    settings = load(
        "notification",
        **WHATSAPP,
        WHATSAPP_API_URL="https://graph.example.test/v20.0/",
        WHATSAPP_FALLBACK_MINUTES="5",
        WHATSAPP_CONCURRENCY="48",
    )
    assert (settings.whatsapp_provider, settings.whatsapp_api_url, settings.whatsapp_token) == (
        "cloud",
        "https://graph.example.test/v20.0",
        "EAAG-uji",
    )
    assert (settings.whatsapp_fallback_minutes, settings.whatsapp_concurrency) == (5.0, 48)


@pytest.mark.parametrize(
    "env, message",
    [
        ({"WHATSAPP_PROVIDER": "twilio"}, "WHATSAPP_PROVIDER='twilio' must be cloud or empty"),
        ({**WHATSAPP, "WHATSAPP_TOKEN": ""}, "WHATSAPP_PROVIDER=cloud needs WHATSAPP_TOKEN"),
        (
            {**WHATSAPP, "WHATSAPP_TEMPLATES": ""},
            "WHATSAPP_PROVIDER=cloud needs WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TEMPLATES",
        ),
        ({**WHATSAPP, "WHATSAPP_FALLBACK_MINUTES": "0"}, "WHATSAPP_FALLBACK_MINUTES='0' must be greater than 0"),
    ],
)
def test_whatsapp_rules_name_the_variable(env, message):
    assert error_of(**env).startswith(message)


def test_a_worker_sending_whatsapp_runs_whatsapp_concurrency_threads():
    from services.notification.worker import sender_settings

    assert sender_settings(load("notification")).consumer_concurrency == 8  # the SMTP pool
    with_whatsapp = sender_settings(load("notification", **WHATSAPP))
    assert with_whatsapp.consumer_concurrency == 32 and with_whatsapp.consumer_prefetch >= 32


# --- retry delays -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, delays",
    [
        ("1,2,3", (1.0, 2.0, 3.0)),
        (" 0.5 , 10 ", (0.5, 10.0)),
        ("5,30,", (5.0, 30.0)),
        ("60", (60.0,)),
        ("", (5, 30, 120, 600, 3600)),
        ("   ", (5, 30, 120, 600, 3600)),
    ],
)
def test_retry_delays_are_a_comma_separated_list_of_seconds(raw, delays):
    assert load(RETRY_DELAYS=raw).retry_delays == delays


@pytest.mark.parametrize(
    "raw, complaint",
    [
        ("5,soon,120", "must be a comma-separated list of seconds"),
        ("5;30", "must be a comma-separated list of seconds"),
        ("5,0,120", "must list at least one positive delay"),
        ("-5", "must list at least one positive delay"),
        (",", "must list at least one positive delay"),
        ("5,nan", "must"),
        ("inf", "must"),
    ],
)
def test_bad_retry_delays_name_the_variable(raw, complaint):
    message = error_of(RETRY_DELAYS=raw)
    assert message.startswith(f"RETRY_DELAYS={raw!r} ")
    assert complaint in message


# --- database URL -----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_database_defaults_to_a_sqlite_file_per_service_under_data_dir(service, tmp_path):
    settings = load(service, DATA_DIR=str(tmp_path))
    assert settings.data_dir == tmp_path
    assert settings.database_url == f"sqlite:///{(tmp_path / f'{service}.db').as_posix()}"


def test_data_dir_defaults_to_var_and_holds_mail_and_sms_log():
    settings = load()
    assert settings.data_dir == Path("./var")
    assert settings.database_url == "sqlite:///var/registration.db"
    assert settings.mail_dir == Path("./var") / "mail"
    assert settings.sms_log_path == Path("./var") / "sms.log"


@pytest.mark.parametrize(
    "raw, url",
    [
        ("postgres://postgres@127.0.0.1:5432/rakor", "postgresql+psycopg://postgres@127.0.0.1:5432/rakor"),
        ("postgresql://postgres@127.0.0.1/rakor", "postgresql+psycopg://postgres@127.0.0.1/rakor"),
        ("postgresql+psycopg://postgres@127.0.0.1/rakor", "postgresql+psycopg://postgres@127.0.0.1/rakor"),
        ("sqlite:////srv/rakor/registration.db", "sqlite:////srv/rakor/registration.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
    ],
)
def test_database_url_uses_the_psycopg_driver_for_postgres(raw, url):
    assert load(DATABASE_URL=raw).database_url == url


@pytest.mark.parametrize("service", SERVICES)
def test_per_service_database_url_overrides_database_url(service):
    variable = f"{service.upper()}_DATABASE_URL"
    settings = load(service, DATABASE_URL="sqlite:///shared.db", **{variable: "postgres://postgres@127.0.0.1/" + service})
    assert settings.database_url == f"postgresql+psycopg://postgres@127.0.0.1/{service}"


def test_database_url_of_another_service_is_ignored():
    settings = load("streaming", DATABASE_URL="sqlite:///streaming.db", REGISTRATION_DATABASE_URL="postgres://x/reg")
    assert settings.database_url == "sqlite:///streaming.db"


def test_unsupported_database_names_the_variable():
    assert error_of(DATABASE_URL="mysql://root@localhost/rakor") == (
        "DATABASE_URL='mysql://root@localhost/rakor' must start with sqlite:/// or postgresql://"
    )


def test_unsupported_per_service_database_names_the_per_service_variable():
    message = error_of("notification", NOTIFICATION_DATABASE_URL="mysql://root@localhost/n")
    assert message.startswith("NOTIFICATION_DATABASE_URL='mysql://root@localhost/n' must start with")


# --- remaining plain variables ------------------------------------------------------------------------


def test_plain_text_variables_are_carried_as_given():
    settings = load(
        SMTP_HOST="127.0.0.1",
        SMTP_TLS="starttls",
        SMTP_USERNAME="humas",
        SMTP_PASSWORD="p@ss",
        SMTP_FROM="Ditjen IKP <ikp@kominfo.go.id>",
    )
    assert (settings.smtp_host, settings.smtp_username, settings.smtp_password) == ("127.0.0.1", "humas", "p@ss")
    assert settings.smtp_from == "Ditjen IKP <ikp@kominfo.go.id>"


@pytest.mark.parametrize(
    "raw, hosts",
    [
        ("zoom.us", ("zoom.us",)),
        (" Zoom.US , youtube.com,,", ("zoom.us", "youtube.com")),
        ("", ("zoom.us", "youtube.com", "youtu.be")),
        (" , ", ("zoom.us", "youtube.com", "youtu.be")),
    ],
)
def test_stream_allowed_hosts_is_a_lowercased_comma_list(raw, hosts):
    assert load(STREAM_ALLOWED_HOSTS=raw).stream_allowed_hosts == hosts


def test_settings_are_frozen():
    settings = load()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


# --- settings_or_exit -------------------------------------------------------------------------------


def test_settings_or_exit_prints_one_line_and_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        settings_or_exit("registration", environ=make_env(REGISTRATION_PORT="abc"))
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "rakor-registration: configuration error: REGISTRATION_PORT='abc' is not a whole number\n"


def test_settings_or_exit_returns_settings_when_valid(capsys):
    settings = settings_or_exit("streaming", environ=make_env())
    assert settings.service == "streaming"
    assert capsys.readouterr().err == ""


# --- the list of known variables ----------------------------------------------------------------------

# A declaration (setting("NAME", …)) or a reader consulting another variable (env.get("NAME"), _bool(env, "NAME", …)).
_READERS = r"(?:setting|env\.get|_int|_float|_bool|_url|_delays)\(\s*(?:[a-z.]*env\s*,\s*)?"


def variables_read_by_load_settings() -> set[str]:
    """Every variable name settings.py reads, from its source; per-service names ({SERVICE}_…) are expanded."""
    source = Path(settings_module.__file__).read_text()
    names = set(re.findall(_READERS + r"\"([A-Z][A-Z0-9_]*)\"", source))
    for suffix in re.findall(r"setting\(\"\{SERVICE\}(_[A-Z0-9_]+)\"", source):
        names.update(service.upper() + suffix for service in SERVICES)
    return names


def test_source_scan_finds_the_variables():
    # Guards the scan itself: if the regex stopped matching, the next test would pass vacuously.
    found = variables_read_by_load_settings()
    assert {
        "RAKOR_ADMIN_TOKEN",
        "SMTP_PORT",
        "RETRY_DELAYS",
        "RABBITMQ_URL",
        "SMTP_STARTTLS",
        "STREAMING_PORT",
        "NOTIFICATION_DATABASE_URL",
        "RELAY_LEASE_SECONDS",
    } <= found


def test_known_variables_lists_every_variable_load_settings_reads():
    missing = variables_read_by_load_settings() - KNOWN_VARIABLES
    assert not missing, f"add to KNOWN_VARIABLES: {sorted(missing)}"


def test_known_variables_lists_nothing_load_settings_ignores():
    stale = KNOWN_VARIABLES - variables_read_by_load_settings()
    assert not stale, f"KNOWN_VARIABLES names variables nobody reads: {sorted(stale)}"


def test_database_timeouts_are_read_in_seconds_and_must_be_positive():
    settings = load_settings("registration", environ={"DB_STATEMENT_TIMEOUT": "12.5", "DB_LOCK_TIMEOUT": "3"}, require_admin_token=False)
    assert (settings.db_statement_timeout, settings.db_lock_timeout) == (12.5, 3.0)
    for bad in ("0", "-1", "nan", "lama"):
        with pytest.raises(SettingsError, match="DB_LOCK_TIMEOUT"):
            load_settings("registration", environ={"DB_LOCK_TIMEOUT": bad}, require_admin_token=False)


def test_settings_problems_lists_every_bad_variable_not_only_the_first():
    from shared.settings import settings_problems

    problems = settings_problems(
        "notification",
        {
            "RAKOR_ADMIN_TOKEN": "pendek",
            "SMTP_PORT": "dua lima",
            "LOG_FORMAT": "xml",
            "RETENTION_DAYS": "0",
            "SMS_PROVIDER": "http",
            "RAKOR_ENV": "dev",
        },
    )
    assert [p.split("=")[0].split(" ")[0] for p in problems] == [
        "RAKOR_ADMIN_TOKEN",
        "LOG_FORMAT",
        "SMS_PROVIDER",
        "RETENTION_DAYS",
        "SMTP_PORT",
    ]
    assert settings_problems("notification", {"RAKOR_ADMIN_TOKEN": "x" * 20, "RAKOR_ENV": "dev"}) == []


# --- production, TLS, proxies, rate-limit storage, handler deadline ------------------------------

PRODUCTION_SENDER = {"RAKOR_ENV": "production", "SMTP_HOST": "smtp.kominfo.go.id", "SMS_GATEWAY_URL": "https://sms.kominfo.go.id/send"}


def test_production_is_the_default_environment():
    assert load_settings("registration", environ={"RAKOR_ADMIN_TOKEN": ADMIN_TOKEN}).environment == "production"


def test_unknown_environment_is_refused():
    assert error_of(RAKOR_ENV="staging") == "RAKOR_ENV='staging' must be production or dev"


def test_production_notification_without_smtp_host_refuses_to_start():
    env = {**PRODUCTION_SENDER, "SMTP_HOST": ""}
    assert "SMTP_HOST is required when RAKOR_ENV=production" in error_of("notification", **env)


def test_production_notification_without_an_sms_gateway_refuses_to_start():
    env = {**PRODUCTION_SENDER, "SMS_GATEWAY_URL": ""}
    assert "SMS_PROVIDER=log is allowed only with RAKOR_ENV=dev" in error_of("notification", **env)


def test_production_notification_refuses_smtp_without_tls():
    assert "SMTP_TLS=none is allowed only with RAKOR_ENV=dev" in error_of("notification", **PRODUCTION_SENDER, SMTP_TLS="none")
    assert "SMTP_TLS=none" in error_of("notification", **PRODUCTION_SENDER, SMTP_STARTTLS="false")


def test_production_sender_with_smtp_and_gateway_starts_with_starttls_by_default():
    settings = load("notification", **PRODUCTION_SENDER)
    assert settings.smtp_tls == "starttls" and settings.smtp_starttls is True


def test_production_checks_concern_the_sender_only():
    assert load("registration", RAKOR_ENV="production").environment == "production"


@pytest.mark.parametrize("raw, expected", [("starttls", "starttls"), ("SSL", "ssl"), ("none", "none")])
def test_smtp_tls_modes(raw, expected):
    assert load(SMTP_TLS=raw).smtp_tls == expected


def test_smtp_tls_wins_over_the_older_starttls_alias():
    assert load(SMTP_TLS="ssl", SMTP_STARTTLS="true").smtp_tls == "ssl"
    assert load(SMTP_STARTTLS="true").smtp_tls == "starttls"


def test_smtp_tls_names_itself_when_unknown():
    assert error_of(SMTP_TLS="tls") == "SMTP_TLS='tls' must be one of starttls, ssl, none"


def test_join_rate_limit_zero_turns_the_limit_off():
    assert load(JOIN_RATE_LIMIT="0").join_rate_limit == 0


def test_rate_limit_storage_must_be_a_redis_url():
    assert load(RATE_LIMIT_STORAGE_URL="redis://127.0.0.1:6379/0").rate_limit_storage_url == "redis://127.0.0.1:6379/0"
    assert load().rate_limit_storage_url == ""
    assert "RATE_LIMIT_STORAGE_URL" in error_of(RATE_LIMIT_STORAGE_URL="127.0.0.1:6379")


def test_trusted_proxies_and_handler_timeout():
    settings = load(TRUSTED_PROXIES="2", HANDLER_TIMEOUT_SECONDS="1.5")
    assert (settings.trusted_proxies, settings.handler_timeout_seconds) == (2, 1.5)
    assert "TRUSTED_PROXIES" in error_of(TRUSTED_PROXIES="-1")
    assert "HANDLER_TIMEOUT_SECONDS" in error_of(HANDLER_TIMEOUT_SECONDS="0")


def test_configuration_error_line_masks_passwords_in_urls(monkeypatch, capsys):
    monkeypatch.setenv("RAKOR_ADMIN_TOKEN", ADMIN_TOKEN)
    monkeypatch.setenv("RABBITMQ_URL", "http://rakor-registration:s3cr3t-broker@rabbitmq:5672/")
    with pytest.raises(SystemExit) as caught:
        settings_or_exit("registration")
    assert caught.value.code == 2
    line = capsys.readouterr().err
    assert "s3cr3t-broker" not in line and "rakor-registration:***@rabbitmq" in line
    assert line.count("\n") == 1


def test_smtp_login_without_tls_is_refused_in_every_environment():
    assert "SMTP_USERNAME needs SMTP_TLS=starttls or ssl" in error_of(
        "notification", SMTP_HOST="127.0.0.1", SMTP_USERNAME="humas", SMTP_TLS="none"
    )


# --- a pooler in transaction mode -----------------------------------------------------------------


def test_db_pooler_is_none_unless_transaction_is_named():
    assert load().db_pooler == "none"
    assert load(DB_POOLER="Transaction").db_pooler == "transaction"
    assert error_of(DB_POOLER="session") == "DB_POOLER='session' must be none or transaction"
