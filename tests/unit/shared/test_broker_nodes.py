"""RABBITMQ_URL as a list of cluster nodes: how items are read, refused, and turned into connection attempts."""

import pytest

from shared.messaging import connection
from shared.messaging.nodes import NodeListError, split_node_urls
from shared.settings import SettingsError, load_settings

FIRST = "amqp://rakor-notification:rahasia-broker-1@rabbit-1.kominfo.go.id:5672/rakor?heartbeat=30"


def test_one_url_is_a_list_of_one():
    assert split_node_urls("amqp://guest:guest@127.0.0.1:5672/%2F") == ["amqp://guest:guest@127.0.0.1:5672/%2F"]


def test_bare_host_port_items_take_scheme_credentials_vhost_and_options_of_the_first():
    assert split_node_urls(f"{FIRST}, rabbit-2.kominfo.go.id:5673 ,10.0.0.3,[fd00::4]:5672") == [
        FIRST,
        "amqp://rakor-notification:rahasia-broker-1@rabbit-2.kominfo.go.id:5673/rakor?heartbeat=30",
        "amqp://rakor-notification:rahasia-broker-1@10.0.0.3/rakor?heartbeat=30",
        "amqp://rakor-notification:rahasia-broker-1@[fd00::4]:5672/rakor?heartbeat=30",
    ]


def test_full_url_items_keep_their_own_parts():
    other = "amqps://dr:lain@rabbit-dr.example.go.id/rakor-dr"
    assert split_node_urls(f"{FIRST},{other}") == [FIRST, other]


def test_a_first_item_without_credentials_gives_bare_hosts_none():
    assert split_node_urls("amqp://rabbit-1/%2F,rabbit-2:5673") == ["amqp://rabbit-1/%2F", "amqp://rabbit-2:5673/%2F"]


@pytest.mark.parametrize(
    "raw, says",
    [
        ("", "first item"),
        ("rabbit-1:5672,rabbit-2:5672", "first item"),
        (f"{FIRST},", "empty"),
        (f"{FIRST},,rabbit-2", "empty"),
        (f"{FIRST},rabbit 2", "host:port"),
        (f"{FIRST},rabbit-2:99999", "host:port"),
        (f"{FIRST},rabbit-2:port", "host:port"),
        (f"{FIRST},http://rabbit-2:5672", "amqp://"),
        (f"{FIRST},rabbit-1.kominfo.go.id:5672", "twice"),
    ],
)
def test_bad_lists_are_refused_naming_the_item(raw, says):
    with pytest.raises(NodeListError, match=says):
        split_node_urls(raw)


def test_the_refusal_never_shows_a_password():
    with pytest.raises(NodeListError) as caught:
        split_node_urls("http://rakor:rahasia-sekali@rabbit-1/rakor")
    assert "rahasia-sekali" not in str(caught.value)


def test_settings_take_a_node_list_and_name_the_variable_when_it_is_wrong():
    env = {"RAKOR_ENV": "dev", "RABBITMQ_URL": f"{FIRST},rabbit-2:5672,rabbit-3:5672"}
    assert load_settings("notification", env, require_admin_token=False).rabbitmq_url == env["RABBITMQ_URL"]
    with pytest.raises(SettingsError, match=r"^RABBITMQ_URL=.*rakor-notification:\*\*\*@.*empty") as caught:
        load_settings("notification", {"RAKOR_ENV": "dev", "RABBITMQ_URL": f"{FIRST},,rabbit-3"}, require_admin_token=False)
    assert "rahasia-broker-1" not in str(caught.value)


def test_node_parameters_cover_every_node_with_the_connection_settings():
    nodes = connection.node_parameters(f"{FIRST},rabbit-2:5673,rabbit-3:5674", name="notification-consumer", shuffle=False)
    assert [(p.host, p.port) for p in nodes] == [("rabbit-1.kominfo.go.id", 5672), ("rabbit-2", 5673), ("rabbit-3", 5674)]
    assert {p.virtual_host for p in nodes} == {"rakor"}
    assert all(p.connection_attempts == 1 and p.client_properties == {"connection_name": "notification-consumer"} for p in nodes)


def test_node_parameters_are_shuffled_so_replicas_spread_over_the_nodes():
    url = f"{FIRST},rabbit-2:5673,rabbit-3:5674"
    firsts = {connection.node_parameters(url)[0].host for _ in range(200)}
    assert firsts == {"rabbit-1.kominfo.go.id", "rabbit-2", "rabbit-3"}


def test_open_blocking_hands_pika_the_whole_list(monkeypatch):
    seen = []
    monkeypatch.setattr(connection.pika, "BlockingConnection", lambda params: seen.append(params) or "connected")
    nodes = connection.node_parameters(f"{FIRST},rabbit-2:5673")
    assert connection.open_blocking(iter(nodes)) == "connected"
    assert seen == [nodes]
