"""bus_trust: the fields of a bus event the sender turns into links and recipients are checked before anything goes out."""

from __future__ import annotations

import pytest

from services.notification.domain.bus_trust import LinkRules, untrusted_field

RULES = LinkRules("https://rakor.kominfo.go.id", ("zoom.us", "youtube.com", "youtu.be"))
RINA = {"full_name": "Rina Wulandari", "email": "rina.wulandari@jabarprov.go.id", "phone": "+6281234567890"}


def link(**overrides):
    return {
        "participant": RINA,
        "join_url": "https://rakor.kominfo.go.id/j/Zk3_q-9aB",
        "youtube_url": "https://www.youtube.com/watch?v=ikp",
        **overrides,
    }


def test_a_genuine_link_event_is_trusted():
    assert untrusted_field(link(), RULES) is None
    assert untrusted_field(link(youtube_url=None), RULES) is None


@pytest.mark.parametrize(
    "join_url",
    [
        "https://rakor-kominfo.example.com/j/Zk3",  # another host
        "https://rakor.kominfo.go.id.evil.example/j/Zk3",  # our host as a prefix of theirs
        "http://rakor.kominfo.go.id/j/Zk3",  # downgraded scheme
        "https://rakor.kominfo.go.id/login",  # our host, not a join link
        "https://rakor.kominfo.go.id/j/",  # no token
        "https://rakor.kominfo.go.id/j/../../login",
        "https://rakor.kominfo.go.id/j/Zk3?next=https://evil.example",
        "https://rakor.kominfo.go.id/j/Zk3/extra",
        "javascript:alert(1)",
    ],
)
def test_join_links_outside_the_public_base_url_are_refused(join_url):
    assert untrusted_field(link(join_url=join_url), RULES).startswith(
        "join_url is not a personal link under https://rakor.kominfo.go.id/j/"
    )


@pytest.mark.parametrize(
    "youtube_url",
    [
        "http://www.youtube.com/watch?v=ikp",
        "https://youtube.com.evil.example/live",
        "https://evil.example/?youtube.com",
        "https://user:pw@youtube.com/live",
        "ftp://youtu.be/x",
    ],
)
def test_stream_links_off_the_allowed_hosts_are_refused(youtube_url):
    assert untrusted_field(link(youtube_url=youtube_url), RULES) == "youtube_url is not an https link on an allowed streaming host"


@pytest.mark.parametrize(
    "email",
    [
        "rina@jabarprov.go.id, phish@evil.example",
        "rina@jabarprov.go.id\r\nBcc: all@kominfo.go.id",
        "Rina <rina@jabarprov.go.id>",
        "not-an-address",
        "",
        None,
    ],
)
def test_recipients_that_are_not_one_plain_address_are_refused(email):
    assert untrusted_field({"participant": {**RINA, "email": email}}, RULES) is not None


def test_a_phone_that_is_not_a_mobile_number_is_refused():
    assert (
        untrusted_field({"participant": {**RINA, "phone": "+62 21 3452841; curl evil"}}, RULES)
        == "participant.phone is not a mobile number"
    )
    assert untrusted_field({"participant": {**RINA, "phone": None}}, RULES) is None


def test_events_without_links_or_recipients_are_trusted():
    assert untrusted_field({"id": "m1", "title": "Rapat Koordinasi"}, RULES) is None


@pytest.mark.parametrize(
    "email",
    [
        "humas@jatengprov.go.id, korban@example.com",
        "Humas <humas@jatengprov.go.id>",
        "humas@jatengprov.go.id\r\nBcc: x@example.com",
        "bukan-alamat",
        None,
    ],
)
def test_an_agency_contact_that_is_not_one_plain_address_is_refused(email):
    problem = untrusted_field({"agency": {"agency_id": "a-1", "name": "Diskominfo Jateng", "contact_email": email}}, RULES)
    assert problem is not None and problem.startswith("agency.contact_email")


def test_a_genuine_agency_contact_is_trusted():
    assert (
        untrusted_field({"agency": {"agency_id": "a-1", "name": "Diskominfo Jateng", "contact_email": "humas@jatengprov.go.id"}}, RULES)
        is None
    )
