"""Fixtures shared by every layer of the suite; the fixture modules live in tests/fixtures/."""

import os

# Tests send mail to a local SMTP server without TLS and SMS to a log: the dev environment allows that.
# Processes the tests start inherit it; a test of the production checks sets RAKOR_ENV itself.
os.environ.setdefault("RAKOR_ENV", "dev")
# Agency digests go out when a window closes (on the hour by default): a test that counts mails and
# happened to straddle the hour would get one more. Processes the tests start close a window once a
# week instead; the digest's own tests drive its windows with an injected clock.
os.environ.setdefault("AGENCY_DIGEST_MINUTES", "10080")

pytest_plugins = [
    "tests.fixtures.guard",
    "tests.fixtures.broker",
    "tests.fixtures.databases",
    "tests.fixtures.processes",
    "tests.fixtures.pgbouncer",
    "tests.fixtures.cluster",
    "tests.fixtures.tcp_proxy",
    "tests.fixtures.smtp",
    "tests.fixtures.sms_gateway",
    "tests.fixtures.whatsapp_api",
    "tests.fixtures.browser",
]
