"""Static checks of the deployment files: compose stack, .env and `make secrets`, Dockerfile, gunicorn settings, Makefile, local runner.

No Docker engine is needed: the files are parsed, interpolated as compose does, and compared with the
code they start.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from deploy import dev_runner, make_secrets
from services.console.settings import VARIABLES as CONSOLE_VARIABLES
from services.console.settings import load_console_settings
from shared.messaging.access import bus_user
from shared.settings import KNOWN_VARIABLES, SERVICES, load_settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"

# Variables read by deploy/gunicorn.conf.py (and by prometheus_client), not by shared.settings.
DEPLOY_ONLY_VARIABLES = frozenset(
    {
        "PROMETHEUS_MULTIPROC_DIR",
        "GUNICORN_HOST",
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "GUNICORN_TIMEOUT",
        "GUNICORN_GRACEFUL_TIMEOUT",
        "GUNICORN_KEEPALIVE",
        "GUNICORN_MAX_REQUESTS",
    }
)
# Secrets read by parts of the product built alongside (webhook receipts); .env carries them already.
OTHER_PARTS_VARIABLES = frozenset({"SMS_WEBHOOK_SECRET", "WHATSAPP_APP_SECRET", "CONSOLE_SECRET_KEY"})
APIS = {f"{service}-api" for service in SERVICES}
RELAYS = {"registration-relay", "streaming-relay"}
CONSUMERS = {f"{service}-worker" for service in SERVICES}
RAKOR_PROCESSES = APIS | RELAYS | CONSUMERS
# The console owns no database and no queue: checked by its own tests below.
CONSOLE = {"console-api"}
ONE_SHOT = {"bus-setup"}
INFRASTRUCTURE = {"rabbitmq", "postgres", "redis", "mailpit"}
API_PORTS = {"registration-api": 8001, "notification-api": 8002, "streaming-api": 8003}
# What a production .env adds to the secrets `make secrets` writes.
PRODUCTION_SETTINGS = {"SMTP_HOST": "smtp.kominfo.go.id", "SMS_GATEWAY_URL": "https://sms.kominfo.go.id/send"}
_INTERPOLATION = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def dot_env(tmp_path_factory) -> dict[str, str]:
    """The .env `make secrets` writes, plus what production needs besides."""
    path = tmp_path_factory.mktemp("stack") / ".env"
    assert make_secrets.main(["--path", str(path)]) == 0
    return {**parse_env_file(path), **PRODUCTION_SETTINGS}


def parse_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#"))
    return {name: value for name, value in pairs}


class MissingVariable(Exception):
    pass


def interpolate(value, env: dict[str, str]):
    """What compose makes of ${NAME}, ${NAME:-default} and ${NAME:?message} with `env` as .env."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        name, kind, word = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise MissingVariable(f"{name}: {word}")
        return word or ""

    return _INTERPOLATION.sub(substitute, value)


def service_of(process: str) -> str:
    return process.rsplit("-", 1)[0]


def interpolated_default(value: str) -> str:
    """What compose substitutes for ${NAME:-default} when NAME is not set."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))


def env_example_variables() -> dict[str, str]:
    """Every NAME=value line of .env.example, the commented-out ones included: documented names must be real too."""
    variables = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            variables[match.group(1)] = match.group(2)
    return variables


def module_exists(module: str) -> bool:
    base = ROOT.joinpath(*module.split("."))
    return base.with_suffix(".py").is_file() or (base / "__main__.py").is_file()


def all_strings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from all_strings(key)
            yield from all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_strings(value)
    elif isinstance(node, str):
        yield node


def test_compose_file_runs_every_process_of_the_spec_and_its_infrastructure(services):
    assert set(services) == RAKOR_PROCESSES | CONSOLE | INFRASTRUCTURE | ONE_SHOT


def test_every_long_running_compose_service_has_a_healthcheck(services):
    missing = [name for name, service in services.items() if name not in ONE_SHOT and not (service.get("healthcheck") or {}).get("test")]
    assert missing == []


def test_rakor_processes_run_the_one_image_built_from_the_dockerfile(services):
    builds = {name: (services[name].get("image"), str(services[name].get("build"))) for name in RAKOR_PROCESSES | ONE_SHOT}
    assert len(set(builds.values())) == 1
    build = services["registration-api"]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


def test_infrastructure_images_are_the_ones_the_stack_is_written_for(services):
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"
    assert services["rabbitmq"]["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert services["redis"]["image"].startswith("redis:")


# --- no secret in the compose file --------------------------------------------------------------


def test_no_credential_is_written_in_the_compose_file(compose):
    # Every password in a URL, and every value of a variable that names a secret, is a ${…} from .env.
    for text in all_strings(compose):
        for password in re.findall(r"://[^/:@\s]*:([^@\s]*)@", text):
            assert password.startswith("${") and password.endswith("}"), text
    secret_name = re.compile(r"PASSWORD|PASS$|TOKEN|SECRET|API_KEY")
    for name, service in compose["services"].items():
        for variable, value in (service.get("environment") or {}).items():
            if secret_name.search(variable):
                assert re.fullmatch(r"\$\{\w+(:[-?][^}]*)?\}", str(value)), f"{name}: {variable}={value}"


def test_every_secret_the_stack_needs_comes_from_make_secrets(compose):
    required = {m.group(1) for text in all_strings(compose) for m in _INTERPOLATION.finditer(text) if m.group(2) == "?"}
    assert required and required <= set(make_secrets.SECRETS), required - set(make_secrets.SECRETS)


def test_without_a_dot_env_the_stack_does_not_start(compose):
    with pytest.raises(MissingVariable, match="make secrets"):
        interpolate(compose, PRODUCTION_SETTINGS)


def test_make_secrets_writes_random_private_values_and_never_overwrites(tmp_path):
    first, second = tmp_path / "a.env", tmp_path / "b.env"
    assert make_secrets.main(["--path", str(first)]) == 0
    assert make_secrets.main(["--path", str(second)]) == 0
    values_a, values_b = parse_env_file(first), parse_env_file(second)
    for name in make_secrets.SECRETS:
        assert len(values_a[name]) >= 32 and values_a[name] != values_b[name], name
    assert len(set(values_a[name] for name in make_secrets.SECRETS)) == len(make_secrets.SECRETS)
    assert first.stat().st_mode & 0o077 == 0
    before = first.read_text()
    assert make_secrets.main(["--path", str(first)]) == 1
    assert first.read_text() == before


def test_make_secrets_target_runs_the_writer():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^secrets:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe and re.search(r"-m deploy\.make_secrets\b", recipe.group(1))


def test_env_example_holds_settings_and_no_secret():
    variables = env_example_variables()
    assert not set(variables) & set(make_secrets.SECRETS)
    assert set(variables) - (KNOWN_VARIABLES | CONSOLE_VARIABLES | DEPLOY_ONLY_VARIABLES) == set()
    assert variables["RAKOR_ENV"] == "production"


# --- reachable from where -------------------------------------------------------------------------


def test_every_published_port_listens_on_loopback_only(services):
    for name, service in services.items():
        for mapping in service.get("ports", []):
            assert str(mapping).startswith("127.0.0.1:"), f"{name}: {mapping}"


def test_published_host_ports_do_not_collide(services):
    published = []
    for name, service in services.items():
        for mapping in service.get("ports", []):
            parts = interpolated_default(mapping).split(":")
            assert len(parts) == 3, f"{name}: {mapping} publishes a random host port or on every address"
            published.append(parts[1])
    assert len(published) == len(set(published)), published
    assert "127.0.0.1:15672:15672" in services["rabbitmq"]["ports"]
    assert "127.0.0.1:8025:8025" in services["mailpit"]["ports"]


def test_only_mailpit_is_in_the_dev_profile(services):
    assert services["mailpit"]["profiles"] == ["dev"]
    assert [name for name, service in services.items() if service.get("profiles")] == ["mailpit"]
    assert services["notification-worker"]["depends_on"]["mailpit"].get("required") is False


def test_the_stack_runs_in_production_by_default(services, dot_env):
    for process in RAKOR_PROCESSES:
        assert interpolate(services[process]["environment"], dot_env)["RAKOR_ENV"] == "production"


# --- one user per service ------------------------------------------------------------------------


@pytest.mark.parametrize("process", sorted(RAKOR_PROCESSES))
def test_each_process_connects_as_its_own_services_broker_user_and_database_role(services, dot_env, process):
    service = service_of(process)
    environment = interpolate(services[process]["environment"], dot_env)
    broker, database = urlsplit(environment["RABBITMQ_URL"]), urlsplit(environment["DATABASE_URL"])
    assert (broker.username, broker.password, broker.hostname) == (
        bus_user(service),
        dot_env[f"RABBITMQ_{service.upper()}_PASSWORD"],
        "rabbitmq",
    )
    assert (database.username, database.password, database.hostname, database.path) == (
        service,
        dot_env[f"POSTGRES_{service.upper()}_PASSWORD"],
        "postgres",
        f"/{service}",
    )
    settings = load_settings(service, environ=environment, require_admin_token=process in APIS)
    assert settings.database_url.endswith(f"/{service}") and settings.environment == "production"


@pytest.mark.parametrize("process", sorted(RAKOR_PROCESSES))
def test_a_process_is_given_no_other_services_secret_and_no_administrators(services, process):
    text = yaml.safe_dump(services[process]["environment"])
    others = [s.upper() for s in SERVICES if s != service_of(process)]
    for other in others:
        assert f"RABBITMQ_{other}_PASSWORD" not in text and f"POSTGRES_{other}_PASSWORD" not in text
    assert "RABBITMQ_ADMIN_PASSWORD" not in text and "${POSTGRES_PASSWORD" not in text
    assert ("RAKOR_ADMIN_TOKEN" in services[process]["environment"]) == (process in APIS)
    assert "env_file" not in services[process], "an env_file would hand every process every secret"


def test_bus_setup_creates_every_services_user_with_the_administrator(services, dot_env):
    setup = services["bus-setup"]
    assert setup["command"][:3] == ["python", "-m", "deploy.bus_setup"] and module_exists("deploy.bus_setup")
    environment = interpolate(setup["environment"], dot_env)
    admin = urlsplit(environment["RABBITMQ_ADMIN_URL"])
    rabbitmq = services["rabbitmq"]["environment"]
    assert admin.username == rabbitmq["RABBITMQ_DEFAULT_USER"] and admin.password == dot_env["RABBITMQ_ADMIN_PASSWORD"]
    for service in SERVICES:
        assert environment[f"RABBITMQ_{service.upper()}_PASSWORD"] == dot_env[f"RABBITMQ_{service.upper()}_PASSWORD"]
    for process in RAKOR_PROCESSES:
        assert services[process]["depends_on"]["bus-setup"] == {"condition": "service_completed_successfully"}


def test_postgres_init_creates_one_role_owning_each_services_database(services):
    mounts = {
        target: ROOT / source
        for source, target, *_ in (volume.split(":") for volume in services["postgres"]["volumes"])
        if source.startswith("./")
    }
    scripts = [source for target, source in mounts.items() if target.startswith("/docker-entrypoint-initdb.d/")]
    assert [s.name for s in scripts] == ["postgres-init.sh"]
    shell = scripts[0].read_text(encoding="utf-8")
    sql_target = re.search(r"-f (\S+)", shell).group(1)
    assert mounts[sql_target] == ROOT / "deploy" / "postgres-init.sql"
    sql = mounts[sql_target].read_text(encoding="utf-8")
    assert sorted(re.findall(r'CREATE DATABASE :"(\w+)" OWNER :"\1"', sql)) == sorted(SERVICES)
    assert sorted(re.findall(r'CREATE ROLE :"(\w+)" LOGIN PASSWORD :\'\1_password\' NOSUPERUSER', sql)) == sorted(SERVICES)
    environment = services["postgres"]["environment"]
    for service in SERVICES:
        assert f'{service}_password="$POSTGRES_{service.upper()}_PASSWORD"' in shell
        assert f"POSTGRES_{service.upper()}_PASSWORD" in environment


# --- processes, commands, health ---------------------------------------------------------------


@pytest.mark.parametrize("process", sorted(RAKOR_PROCESSES))
def test_compose_command_names_an_entry_point_that_exists(services, process):
    command = services[process]["command"]
    if process in APIS:
        assert command[:3] == ["gunicorn", "--config", "deploy/gunicorn.conf.py"]
        assert (ROOT / command[2]).is_file()
        assert command[3] == f"services.{service_of(process)}.app:create_app()"
        assert module_exists(f"services.{service_of(process)}.app"), f"services/{service_of(process)}/app.py is missing"
    else:
        kind = "relay" if process in RELAYS else "worker"
        assert command == ["python", "-m", f"services.{service_of(process)}.{kind}"]
        assert module_exists(command[2]), f"{command[2].replace('.', '/')}.py is missing"


@pytest.mark.parametrize("process", sorted(RELAYS | CONSUMERS))
def test_background_processes_are_healthy_while_their_heartbeat_file_is_fresh(services, process):
    test = services[process]["healthcheck"]["test"]
    kind = "relay" if process in RELAYS else "worker"
    assert test == ["CMD", "python", "-m", "shared.healthcheck", f"/data/{service_of(process)}-{kind}.alive", "--max-age", "30"]
    assert module_exists("shared.healthcheck")
    assert services[process]["environment"]["DATA_DIR"] == "/data"


@pytest.mark.parametrize("process", sorted(APIS))
def test_api_healthcheck_polls_healthz_on_the_port_the_api_listens_on(services, process):
    port = API_PORTS[process]
    service = services[process]
    assert service["environment"][f"{service_of(process)}_PORT".upper()] == str(port)
    assert any(interpolated_default(mapping).endswith(f":{port}") for mapping in service["ports"])
    test = service["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert f"http://127.0.0.1:{port}/healthz" in test[3]


def test_environment_of_rakor_processes_holds_only_known_variables(services):
    unknown = {
        f"{process}: {name}"
        for process in RAKOR_PROCESSES
        for name in services[process].get("environment", {})
        if name not in KNOWN_VARIABLES | DEPLOY_ONLY_VARIABLES | OTHER_PARTS_VARIABLES
    }
    assert unknown == set()


def test_env_example_holds_only_known_variables():
    variables = env_example_variables()
    assert set(variables) - (KNOWN_VARIABLES | CONSOLE_VARIABLES | DEPLOY_ONLY_VARIABLES) == set()


def test_processes_restart_unless_stopped_and_the_setup_runs_once(services):
    for name in RAKOR_PROCESSES | INFRASTRUCTURE:
        assert services[name]["restart"] == "unless-stopped", name
    assert services["bus-setup"]["restart"] == "no"


def test_apis_share_rate_limits_through_redis(services, dot_env):
    for process in APIS:
        url = urlsplit(interpolate(services[process]["environment"], dot_env)["RATE_LIMIT_STORAGE_URL"])
        assert (url.scheme, url.hostname, url.password) == ("redis", "redis", dot_env["REDIS_PASSWORD"])


def test_depends_on_waits_for_healthy_or_finished_dependencies(services):
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on without conditions"
        for dependency, condition in depends_on.items():
            if dependency in ONE_SHOT:
                assert condition == {"condition": "service_completed_successfully"}
            else:
                assert condition["condition"] == "service_healthy", f"{name} -> {dependency}"
                assert "healthcheck" in services[dependency]
    for process in RAKOR_PROCESSES:
        assert {"postgres", "bus-setup"} <= set(services[process]["depends_on"])
    assert services["bus-setup"]["depends_on"] == {"rabbitmq": {"condition": "service_healthy"}}


def final_stage(dockerfile: str) -> str:
    return re.split(r"^FROM\s", dockerfile, flags=re.MULTILINE)[-1]


def test_dockerfile_builds_in_stages_and_runs_as_a_non_root_user():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM python:3\.11-slim", text, flags=re.MULTILINE)) >= 2
    assert re.search(r"^RUN .*pip install --require-hashes --no-deps -r requirements\.lock", text, flags=re.MULTILINE)
    stage = final_stage(text)
    assert "COPY --from=builder /opt/venv" in stage
    assert not re.search(r"apt-get install|build-essential|gcc", stage)
    users = re.findall(r"^USER\s+(\S+)", stage, flags=re.MULTILINE)
    assert users, "the final stage sets no USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert re.search(r"^ENV .*DATA_DIR=/data", stage, flags=re.MULTILINE | re.DOTALL)
    assert re.search(r'^VOLUME \["?/data"?\]', stage, flags=re.MULTILINE)


def test_gunicorn_config_never_preloads_the_app():
    text = GUNICORN_CONF.read_text(encoding="utf-8")
    assert re.search(r"^preload_app\s*=\s*False\s*$", text, flags=re.MULTILINE)
    assert not re.search(r"^preload_app\s*=\s*True", text, flags=re.MULTILINE)
    assert "--preload" not in COMPOSE_FILE.read_text(encoding="utf-8")
    assert "--preload" not in dev_runner.PROCFILE.read_text(encoding="utf-8")


def test_make_run_calls_the_dev_runner():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe, "no run target"
    assert re.search(r"python -m deploy\.dev_runner\b", recipe.group(1))


def test_make_openapi_calls_the_exporter():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^openapi:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe and re.search(r"python -m deploy\.export_openapi\b", recipe.group(1))


def test_dev_runner_starts_the_same_processes_with_the_same_commands_as_compose(services):
    assert set(dev_runner.PROCESSES) == RAKOR_PROCESSES | CONSOLE
    for process, command in dev_runner.PROCESSES.items():
        assert shlex.split(command) == services[process]["command"], process


def test_console_runs_under_gunicorn_on_8004_and_reaches_the_apis_inside_the_stack(services):
    console = services["console-api"]
    assert console["command"] == ["gunicorn", "--config", "deploy/gunicorn.conf.py", "services.console.app:create_app()"]
    assert module_exists("services.console.app")
    environment = console["environment"]
    assert set(environment) <= CONSOLE_VARIABLES | DEPLOY_ONLY_VARIABLES
    assert any(interpolated_default(mapping).endswith(":8004") for mapping in console["ports"])
    assert "http://127.0.0.1:8004/healthz" in console["healthcheck"]["test"][3]
    settings = load_console_settings({"CONSOLE_SECRET_KEY": "k" * 32, **{k: interpolated_default(v) for k, v in environment.items()}})
    assert (settings.port, settings.registration_url, settings.notification_url, settings.streaming_url) == (
        8004,
        "http://registration-api:8001",
        "http://notification-api:8002",
        "http://streaming-api:8003",
    )
    assert environment["CONSOLE_SECRET_KEY"] == "${CONSOLE_SECRET_KEY:?run make secrets}"
    assert "registration-api" in console["depends_on"]
