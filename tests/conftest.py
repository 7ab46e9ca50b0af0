"""Fixtures shared by every layer of the suite; the fixture modules live in tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.guard",
    "tests.fixtures.broker",
    "tests.fixtures.databases",
    "tests.fixtures.processes",
    "tests.fixtures.tcp_proxy",
    "tests.fixtures.smtp",
    "tests.fixtures.sms_gateway",
    "tests.fixtures.whatsapp_api",
    "tests.fixtures.browser",
]
