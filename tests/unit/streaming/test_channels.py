"""Channel addresses: https, an allowed host or subdomain, the right platform, sane meeting id and passcode."""

from __future__ import annotations

import pytest

from services.streaming.domain.channels import ChannelInput, host_matches, url_errors, validate_channel
from services.streaming.domain.errors import InvalidChannel

HOSTS = ("zoom.us", "youtube.com", "youtu.be")


@pytest.mark.parametrize(
    "kind,url",
    [
        ("zoom", "https://zoom.us/j/81234567890"),
        ("zoom", "https://us02web.zoom.us/j/81234567890?pwd=abc"),
        ("youtube", "https://www.youtube.com/watch?v=DitjenIKP21"),
        ("youtube", "https://youtu.be/DitjenIKP21"),
        ("youtube", "https://YouTube.com/live/abc"),
    ],
)
def test_zoom_and_youtube_addresses_and_their_subdomains_are_accepted(kind, url):
    assert url_errors(kind, url, HOSTS) == []


@pytest.mark.parametrize(
    "url,fragment",
    [
        ("http://zoom.us/j/1", "https://"),
        ("javascript:alert(1)", "https://"),
        ("https://evil.example/j/1", "not allowed"),
        ("https://notzoom.us/j/1", "not allowed"),
        ("https://zoom.us.evil.example/j/1", "not allowed"),
        ("https://zoom.us@evil.example/j/1", "user name"),
        ("https://user:pw@zoom.us/j/1", "user name"),
        ("https://zoom.us:8443/j/1", "port"),
        ("https://zoom.us/j/1 2", "spaces"),
        # A browser reads https:///j/1 as the host "j".
        ("https:///j/1", "not allowed"),
        ("https://zoom.us/" + "a" * 2000, "Longer"),
    ],
)
def test_other_addresses_are_refused_with_a_reason(url, fragment):
    errors = url_errors("zoom", url, HOSTS)
    assert len(errors) == 1 and fragment in errors[0]


def test_a_youtube_address_is_not_accepted_as_the_zoom_channel():
    assert "YouTube address" in url_errors("zoom", "https://www.youtube.com/watch?v=x", HOSTS)[0]
    assert "Zoom address" in url_errors("youtube", "https://zoom.us/j/81234567890", HOSTS)[0]


def test_configured_hosts_replace_the_defaults():
    assert url_errors("zoom", "https://meet.kominfo.go.id/rakor", ("kominfo.go.id",)) == []
    assert url_errors("zoom", "https://zoom.us/j/1", ("kominfo.go.id",)) != []


def test_host_matching_needs_a_dot_boundary():
    assert host_matches("us02web.zoom.us", "zoom.us")
    assert not host_matches("evilzoom.us", "zoom.us")


def test_zoom_meeting_id_is_normalized_to_digits():
    channel = validate_channel(ChannelInput("zoom", "https://zoom.us/j/81234567890", "812 3456 7890", "humas21"), HOSTS)
    assert channel.meeting_id == "81234567890" and channel.passcode == "humas21"


@pytest.mark.parametrize("meeting_id", ["12345", "abc 123 4567", "8123456789012345"])
def test_a_malformed_zoom_meeting_id_is_named(meeting_id):
    with pytest.raises(InvalidChannel) as caught:
        validate_channel(ChannelInput("zoom", "https://zoom.us/j/1", meeting_id), HOSTS)
    assert list(caught.value.errors) == ["meeting_id"]


def test_youtube_channel_refuses_meeting_id_and_passcode_naming_both():
    with pytest.raises(InvalidChannel) as caught:
        validate_channel(ChannelInput("youtube", "https://youtu.be/x", "81234567890", "humas21"), HOSTS)
    assert set(caught.value.errors) == {"meeting_id", "passcode"}


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvalidChannel) as caught:
        validate_channel(ChannelInput("zoom", "http://zoom.us/j/1", "12", "has space"), HOSTS)
    assert set(caught.value.errors) == {"url", "meeting_id", "passcode"}


def test_an_unknown_kind_is_named():
    with pytest.raises(InvalidChannel) as caught:
        validate_channel(ChannelInput("teams", "https://zoom.us/j/1"), HOSTS)
    assert list(caught.value.errors) == ["kind"]


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example\\.zoom.us/j/1",  # a browser reads the backslash as a slash: host evil.example
        "https:\\\\evil.example/x.zoom.us",
        "https:evil.example/zoom.us",
        "https://zoom.us%40evil.example/j/1",
        "https://%65vil.example/.zoom.us",
        "https://evil.example%5c.zoom.us/j/1",
        "https://zооm.us/j/1",  # Cyrillic o: IDNA makes it xn--zm-fmca.us
        "https://zoom.us:443@evil.example/j/1",
        "https://0x7f.1/zoom.us",
        "https://[::1]/zoom.us",
        "https://zoom.us\u0085/j/1",
    ],
)
def test_urls_that_a_browser_sends_elsewhere_are_refused(url):
    assert url_errors("zoom", url, HOSTS)


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://US02WEB.Zoom.US/j/81234567890?pwd=UmFr", "https://us02web.zoom.us/j/81234567890?pwd=UmFr"),
        ("https://zoom.us:443/j/1", "https://zoom.us/j/1"),
        ("https://zoom.us./j/1", "https://zoom.us./j/1"),
        ("https://evil.example%2ezoom.us/j/1", "https://evil.example.zoom.us/j/1"),
    ],
)
def test_accepted_urls_are_stored_as_the_browser_reads_them(url, canonical):
    assert url_errors("zoom", url, HOSTS) == []
    assert validate_channel(ChannelInput("zoom", url), HOSTS).url == canonical
