"""`make run`: every process of the suite (and the console) on this machine under honcho, with local defaults the environment can override.

Defaults: SQLite databases under var/ (one per service), the local RabbitMQ (when none answers on
localhost:5672 and RABBITMQ_URL is not set: a private node under var/rabbitmq, or one in Docker; see
deploy/local_broker.py), mail written as .eml files
under var/mail/, SMS appended to var/sms.log, and a development admin token generated once and kept in
var/dev-admin-token. Each output line is prefixed with its process name; Ctrl-C stops every process.
`python -m deploy.dev_runner --print` shows the process table and the settings without starting anything.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import urlparse

from honcho.environ import parse_procfile
from honcho.manager import Manager
from honcho.printer import Printer

from deploy.local_broker import NoBroker, provide_broker
from services.console.settings import DEFAULT_PORT as CONSOLE_DEFAULT_PORT
from services.console.settings import load_console_settings
from shared.settings import DEFAULT_PORTS, SERVICES, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
PROCFILE = Path(__file__).with_name("Procfile")
DEFAULT_RABBITMQ_URL = "amqp://guest:guest@localhost:5672/%2F"
TOKEN_FILE_NAME = "dev-admin-token"
CONSOLE_SECRET_FILE_NAME = "dev-console-secret"
# Fewer API workers than the production default: eight processes share a developer's laptop.
DEV_GUNICORN_WORKERS = "2"


def load_process_table(procfile: Path = PROCFILE) -> dict[str, str]:
    """Process name -> shell command, in the order of deploy/Procfile (the same names as the compose services)."""
    return dict(parse_procfile(procfile.read_text(encoding="utf-8")).processes)


PROCESSES = load_process_table()


def _saved_secret(path: Path, make: Callable[[], str], *, create: bool) -> str | None:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Created owner-only from the start: the token grants every organizer right.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def dev_admin_token(data_dir: Path, *, create: bool = True) -> str | None:
    """The saved development admin token, generated on first use; None if it does not exist and `create` is False."""
    return _saved_secret(data_dir / TOKEN_FILE_NAME, lambda: "dev-" + secrets.token_urlsafe(24), create=create)


def dev_console_secret(data_dir: Path, *, create: bool = True) -> str | None:
    """The saved key sealing the console's sessions, generated on first use (so sign-ins survive a restart)."""
    return _saved_secret(data_dir / CONSOLE_SECRET_FILE_NAME, lambda: secrets.token_urlsafe(48), create=create)


def dev_environment(environ: Mapping[str, str], root: Path = ROOT, *, create_token: bool = True) -> dict[str, str]:
    """The environment every process gets: the local defaults, with any variable already set in `environ` winning."""
    env = dict(environ)
    data_dir = Path(env.get("DATA_DIR") or root / "var")
    if not data_dir.is_absolute():
        data_dir = root / data_dir
    env["DATA_DIR"] = str(data_dir)
    for service in SERVICES:
        env.setdefault(f"{service.upper()}_DATABASE_URL", f"sqlite:///{(data_dir / f'{service}.db').as_posix()}")
    env.setdefault("RABBITMQ_URL", DEFAULT_RABBITMQ_URL)
    # Mail as .eml files and SMS to a log are for this machine only: production refuses them.
    env.setdefault("RAKOR_ENV", "dev")
    streaming_port = env.get("STREAMING_PORT") or str(DEFAULT_PORTS["streaming"])
    env.setdefault("PUBLIC_BASE_URL", f"http://localhost:{streaming_port}")
    env.setdefault("GUNICORN_WORKERS", DEV_GUNICORN_WORKERS)
    # A development stack with a known token answers on this machine only, not on the network.
    env.setdefault("GUNICORN_HOST", "127.0.0.1")
    # Output goes through a pipe to honcho; unbuffered, each line shows up when it is written.
    env.setdefault("PYTHONUNBUFFERED", "1")
    if not env.get("RAKOR_ADMIN_TOKEN"):
        token = dev_admin_token(data_dir, create=create_token)
        if token:
            env["RAKOR_ADMIN_TOKEN"] = token
    # The console calls the three APIs where this runner starts them.
    for service in SERVICES:
        port = env.get(f"{service.upper()}_PORT") or str(DEFAULT_PORTS[service])
        env.setdefault(f"{service.upper()}_URL", f"http://127.0.0.1:{port}")
    if not env.get("CONSOLE_SECRET_KEY"):
        secret = dev_console_secret(data_dir, create=create_token)
        if secret:
            env["CONSOLE_SECRET_KEY"] = secret
    # The Procfile says `python` and `gunicorn`: make them the ones of the interpreter running us.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    return env


def _hide_password(url: str) -> str:
    parsed = urlparse(url)
    if not parsed.password:
        return url
    return url.replace(f":{parsed.password}@", ":***@", 1)


def describe(env: Mapping[str, str]) -> list[str]:
    """Lines telling where the APIs, their docs, the admin token and the outputs are."""
    lines = ["Rakor on this machine (Ctrl-C stops every process):"]
    for service in SERVICES:
        port = env.get(f"{service.upper()}_PORT") or DEFAULT_PORTS[service]
        lines.append(f"  {service + ' API':<17} http://localhost:{port}   docs: http://localhost:{port}/docs")
    console_port = env.get("CONSOLE_PORT") or CONSOLE_DEFAULT_PORT
    lines.append(f"  {'console':<17} http://localhost:{console_port}   (sign in with the admin token)")
    data_dir = Path(env["DATA_DIR"])
    token = env.get("RAKOR_ADMIN_TOKEN")
    token_file = data_dir / TOKEN_FILE_NAME
    if not token:
        lines.append(f"  {'admin token':<17} (generated at start into {token_file})")
    elif token_file.exists() and token_file.read_text(encoding="utf-8").strip() == token:
        lines.append(f"  {'admin token':<17} {token}   (development token, saved in {token_file})")
    else:
        lines.append(f"  {'admin token':<17} from RAKOR_ADMIN_TOKEN")
    lines.append(f"  {'join links':<17} {env['PUBLIC_BASE_URL']}/j/<token>")
    lines.append(f"  {'broker':<17} {_hide_password(env['RABBITMQ_URL'])}")
    for service in SERVICES:
        lines.append(f"  {service + ' db':<17} {_hide_password(env[f'{service.upper()}_DATABASE_URL'])}")
    smtp_host = env.get("SMTP_HOST")
    mail = f"SMTP {smtp_host}:{env.get('SMTP_PORT') or 25}" if smtp_host else f"{data_dir / 'mail'}/*.eml"
    lines.append(f"  {'mail':<17} {mail}")
    sms_provider = env.get("SMS_PROVIDER") or ("http" if env.get("SMS_GATEWAY_URL") else "log")
    sms = f"appended to {data_dir / 'sms.log'}" if sms_provider == "log" else f"sent through {sms_provider}"
    lines.append(f"  {'sms':<17} {sms}")
    return lines


def check_settings(env: Mapping[str, str]) -> str | None:
    """The first configuration error any service would stop on, or None."""
    for service in SERVICES:
        try:
            load_settings(service, environ=env)
        except SettingsError as exc:
            return f"{service}: {exc}"
    try:
        load_console_settings(env)
    except SettingsError as exc:
        return f"console: {exc}"
    return None


def bring_layout_up_to_date(env: Mapping[str, str]) -> None:
    """Move queues an older `make run` declared (classic retry tiers, no delivery limit) to the current layout.

    None of this run's processes is up yet, so nothing consumes them meanwhile; without the move
    every worker would fail its declare with 406 PRECONDITION_FAILED. A production deployment does
    the same with `python -m deploy.bus_setup --migrate-queues`, after stopping its workers.
    """
    from deploy.bus_setup import migrate_layout
    from shared.settings import _delays

    try:
        migrate_layout(env["RABBITMQ_URL"], _delays(env, "RETRY_DELAYS", (5, 30, 120, 600, 3600)), migrate=True)
    except Exception as exc:  # noqa: BLE001 - a broker we may not administer: the processes will say what is wrong
        print(f"dev_runner: warning: could not check the queues' layout: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


def broker_answers(url: str, timeout: float = 1.0) -> bool:
    """Whether something listens on the broker's host and port (the processes retry anyway; this only warns)."""
    parsed = urlparse(url)
    default_port = 5671 if parsed.scheme == "amqps" else 5672
    try:
        with socket.create_connection((parsed.hostname or "localhost", parsed.port or default_port), timeout=timeout):
            return True
    except OSError:
        return False


def run(env: dict[str, str], processes: Mapping[str, str] = PROCESSES) -> int:
    """Start every process under honcho and block until they have all stopped; returns honcho's exit status."""
    manager = Manager(Printer(sys.stdout))
    for name, command in processes.items():
        # exec: the process replaces honcho's shell, so it gets the SIGTERM itself and its own exit status shows.
        manager.add_process(name, f"exec {command}", env=env, cwd=str(ROOT))
    manager.loop()
    return manager.returncode or 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `make run`."""
    parser = argparse.ArgumentParser(prog="python -m deploy.dev_runner", description=__doc__.splitlines()[0])
    parser.add_argument("--print", dest="print_only", action="store_true", help="print the process table and settings, start nothing")
    args = parser.parse_args(argv)

    if os.environ.get("DATABASE_URL"):
        print(
            "dev_runner: DATABASE_URL is ignored here (the three services would share one database); "
            "set REGISTRATION_DATABASE_URL, NOTIFICATION_DATABASE_URL and STREAMING_DATABASE_URL instead.",
            file=sys.stderr,
        )
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env = dev_environment(environ, create_token=not args.print_only)

    if args.print_only:
        width = max(len(name) for name in PROCESSES)
        print("\n".join(describe(env)))
        print("\nProcesses (deploy/Procfile):")
        for name, command in PROCESSES.items():
            print(f"  {name:<{width}}  {command}")
        return 0

    error = check_settings(env)
    if error:
        print(f"dev_runner: configuration error: {error}", file=sys.stderr)
        return 2
    Path(env["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    stop_broker = None
    if not broker_answers(env["RABBITMQ_URL"]):
        if environ.get("RABBITMQ_URL"):
            # The developer named a broker: theirs to start; the processes retry until it answers.
            print(
                f"dev_runner: warning: nothing answers at {_hide_password(env['RABBITMQ_URL'])}; "
                "workers and relays will keep retrying until RabbitMQ is up.",
                file=sys.stderr,
                flush=True,
            )
        else:
            try:
                env["RABBITMQ_URL"], stop_broker = provide_broker(
                    Path(env["DATA_DIR"]), lambda line: print(f"dev_runner: {line}", flush=True)
                )
            except NoBroker as exc:
                print(f"dev_runner: {exc}", file=sys.stderr)
                return 1
    else:
        bring_layout_up_to_date(env)
    print("\n".join(describe(env)), flush=True)
    try:
        return run(env)
    finally:
        if stop_broker is not None:
            print("dev_runner: stopping the private RabbitMQ", flush=True)
            stop_broker()


if __name__ == "__main__":
    sys.exit(main())
