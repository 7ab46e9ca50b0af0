"""The nodes of a RabbitMQ cluster as RABBITMQ_URL names them: a comma-separated list, pure text rules (no pika).

    amqp://rakor-notification:…@rabbit-1:5672/rakor,rabbit-2:5672,rabbit-3
    amqp://u:p@rabbit-1/rakor,amqps://u:p@rabbit-dr.example.go.id/rakor

The first item is a full amqp:// or amqps:// URL. Each later item is either a full URL of its own
or a bare `host[:port]`, which takes everything else (scheme, user, password, vhost, query options)
from the first item: one password to rotate, not three. A comma inside a password must be written
%2C, as URL rules want anyway. One item alone is the single-broker setting it always was.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("amqp", "amqps")
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(?P<port>\d{1,5}))?$")


class NodeListError(ValueError):
    """RABBITMQ_URL cannot be read as a list of nodes; the message says which item and why."""


def split_node_urls(raw: str) -> list[str]:
    """Each node of `raw` as a full URL, in the order given; raise NodeListError on the first bad item."""
    items = [item.strip() for item in raw.split(",")]
    if not items or not items[0]:
        raise NodeListError("the first item must be a URL starting with amqp:// or amqps://")
    if any(not item for item in items):
        raise NodeListError("an item of the list is empty (two commas in a row, or one at the end)")
    first = urlsplit(items[0])
    if first.scheme not in SCHEMES or not first.hostname:
        raise NodeListError(f"the first item {_masked(items[0])!r} must be a URL starting with amqp:// or amqps:// and naming a host")
    urls = [items[0]]
    for item in items[1:]:
        if "://" in item:
            parts = urlsplit(item)
            if parts.scheme not in SCHEMES or not parts.hostname:
                raise NodeListError(f"item {_masked(item)!r} must be a URL starting with amqp:// or amqps://, or host:port")
            urls.append(item)
            continue
        match = _HOST_PORT.match(item)
        if not match or (match["port"] and not 1 <= int(match["port"]) <= 65535):
            raise NodeListError(f"item {item!r} must be host or host:port (port 1-65535), or a full amqp:// URL")
        urls.append(_with_host(first, match["host"], match["port"]))
    if len(set(urls)) != len(urls):
        raise NodeListError("a node is listed twice")
    return urls


def _with_host(first, host: str, port: str | None) -> str:
    userinfo = first.netloc.rpartition("@")[0]
    netloc = (userinfo + "@" if userinfo else "") + host + (f":{port}" if port else "")
    return urlunsplit(first._replace(netloc=netloc))


def _masked(item: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", item)
