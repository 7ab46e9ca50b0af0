"""`python -m deploy.bus_setup`: the broker side of a deployment, run once before the services start (and again after any change).

For each service it creates (or updates) its RabbitMQ user with the password from the environment
and gives it only the permissions shared.messaging.access derives from the bus layout, then declares
the layout itself with the privileged user, since the services' users may declare nothing.

    RABBITMQ_ADMIN_URL=amqp://admin:…@rabbitmq:5672/%2F             the privileged user and the vhost
    RABBITMQ_REGISTRATION_PASSWORD, RABBITMQ_NOTIFICATION_PASSWORD, RABBITMQ_STREAMING_PASSWORD
    RETRY_DELAYS                                                      as the services have it

Users are managed through the management API (`--management-url http://rabbitmq:15672`, the admin
user's credentials) or the local `rabbitmqctl` (`--rabbitmqctl`).

Queues of an older layout (classic retry tiers and dead-letter queues, main queues without a
delivery limit) cannot be redeclared: the broker refuses other arguments for an existing queue.
The setup names each such queue and exits 3; with the consumers stopped, `--migrate-queues` moves
each one to its current form keeping its messages (shared/messaging/layout_migration.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Mapping, Sequence
from urllib.parse import quote, unquote, urlparse

from shared.messaging.access import BusPermissions, bus_permissions
from shared.messaging.topology import declare_layout
from shared.settings import SERVICES, SettingsError, _delays, mask_url_passwords


def password_variable(service: str) -> str:
    return f"RABBITMQ_{service.upper()}_PASSWORD"


def vhost_of(amqp_url: str) -> str:
    path = urlparse(amqp_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def rabbitmqctl_commands(vhost: str, permissions: BusPermissions) -> list[list[str]]:
    """The rabbitmqctl calls that give one service's user exactly `permissions` (after add_user/change_password)."""
    return [
        ["set_permissions", "-p", vhost, permissions.user, permissions.configure, permissions.write, permissions.read],
        [
            "set_topic_permissions",
            "-p",
            vhost,
            permissions.user,
            permissions.topic_exchange,
            permissions.topic_write,
            permissions.topic_read,
        ],
    ]


def apply_with_rabbitmqctl(vhost: str, users: Sequence[tuple[BusPermissions, str]], rabbitmqctl: str = "rabbitmqctl") -> None:
    def run(args: list[str], check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([rabbitmqctl, "--quiet", *args], check=check, capture_output=True, text=True, timeout=60)

    for permissions, password in users:
        # add_user fails when the user exists; then the password is set anew (a rotated secret).
        if run(["add_user", permissions.user, password], check=False).returncode != 0:
            run(["change_password", permissions.user, password])
        for command in rabbitmqctl_commands(vhost, permissions):
            run(command)


def apply_with_management_api(
    base_url: str, admin_user: str, admin_password: str, vhost: str, users: Sequence[tuple[BusPermissions, str]]
) -> None:
    auth = "Basic " + b64encode(f"{admin_user}:{admin_password}".encode()).decode()
    v = quote(vhost, safe="")

    def put(path: str, body: Mapping) -> None:
        request = urllib.request.Request(
            base_url.rstrip("/") + path,
            data=json.dumps(body).encode(),
            method="PUT",
            headers={"Authorization": auth, "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    for permissions, password in users:
        user = quote(permissions.user, safe="")
        put(f"/api/users/{user}", {"password": password, "tags": ""})
        put(f"/api/permissions/{v}/{user}", {"configure": permissions.configure, "write": permissions.write, "read": permissions.read})
        put(
            f"/api/topic-permissions/{v}/{user}",
            {"exchange": permissions.topic_exchange, "write": permissions.topic_write, "read": permissions.topic_read},
        )


def service_users(env: Mapping[str, str], prefix: str = "rakor-") -> list[tuple[BusPermissions, str]]:
    users = []
    for service in SERVICES:
        password = env.get(password_variable(service), "")
        if len(password) < 16:
            raise SettingsError(f"{password_variable(service)} must be set to at least 16 characters (make secrets writes one)")
        users.append((bus_permissions(service, prefix), password))
    return users


def migrate_layout(admin_url: str, retry_delays: tuple[float, ...], *, migrate: bool) -> list[tuple[str, str]]:
    """The layout's queues still in an older form: moved (then none is returned) when `migrate`, else listed."""
    from shared.messaging.connection import node_parameters, open_blocking
    from shared.messaging.layout_migration import find_outdated, finish_interrupted_moves, move_queue

    connection = open_blocking(node_parameters(admin_url, name="rakor-bus-setup"))
    try:
        recovered = finish_interrupted_moves(connection, retry_delays)
        if recovered:
            print(f"bus_setup: {recovered} messages of an interrupted queue move put back")
        outdated = find_outdated(connection, retry_delays)
        if not migrate:
            return outdated
        for queue, _reason in outdated:
            print(f"bus_setup: {queue} moved to its current form with {move_queue(connection, queue, retry_delays)} messages")
        return []
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create each service's RabbitMQ user with least privilege, then declare the bus layout.")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--management-url", help="e.g. http://rabbitmq:15672")
    how.add_argument("--rabbitmqctl", action="store_true", help="use the local rabbitmqctl")
    parser.add_argument("--user-prefix", default="rakor-", help="user names are <prefix><service> (default rakor-)")
    parser.add_argument(
        "--migrate-queues", action="store_true", help="replace queues of an older layout, keeping their messages (stop the consumers first)"
    )
    args = parser.parse_args(argv)
    env = os.environ
    admin_url = env.get("RABBITMQ_ADMIN_URL", "")
    try:
        if not admin_url:
            raise SettingsError("RABBITMQ_ADMIN_URL is required (the privileged user that declares the layout)")
        users = service_users(env, args.user_prefix)
        retry_delays = _delays(env, "RETRY_DELAYS", (5, 30, 120, 600, 3600))
        vhost = vhost_of(admin_url)
        if args.rabbitmqctl:
            apply_with_rabbitmqctl(vhost, users)
        else:
            parsed = urlparse(admin_url)
            apply_with_management_api(args.management_url, unquote(parsed.username or ""), unquote(parsed.password or ""), vhost, users)
        outdated = migrate_layout(admin_url, retry_delays, migrate=args.migrate_queues)
        if outdated:
            for queue, reason in outdated:
                print(f"bus_setup: queue {queue!r} was declared by an older layout: {reason}", file=sys.stderr)
            print(
                "bus_setup: stop the consumers (workers) of those services, then run this again with --migrate-queues: "
                "each queue is replaced by its current form and keeps its messages; relays may keep running",
                file=sys.stderr,
            )
            return 3
        declare_layout(admin_url, retry_delays)
    except (SettingsError, OSError, subprocess.CalledProcessError, urllib.error.URLError) as exc:
        detail = exc.stderr.strip() if isinstance(exc, subprocess.CalledProcessError) else str(exc)
        print(f"bus_setup: {mask_url_passwords(detail)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - the broker refused or vanished: one line, not a traceback
        print(f"bus_setup: {type(exc).__name__}: {mask_url_passwords(str(exc))}", file=sys.stderr)
        return 1
    print(f"bus_setup: users {', '.join(p.user for p, _ in users)} ready in vhost {vhost!r}; layout declared")
    return 0


if __name__ == "__main__":
    sys.exit(main())
