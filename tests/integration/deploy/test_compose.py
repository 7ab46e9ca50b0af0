"""Static checks of the deployment files: compose stack, .env.example, Dockerfile, gunicorn settings, Makefile, local runner.

No Docker engine is needed: the files are parsed and compared with the code they start.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from deploy import dev_runner
from shared.settings import KNOWN_VARIABLES, SERVICES, SettingsError, load_settings

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
APIS = {f"{service}-api" for service in SERVICES}
RELAYS = {"registration-relay", "streaming-relay"}
CONSUMERS = {f"{service}-worker" for service in SERVICES}
RAKOR_PROCESSES = APIS | RELAYS | CONSUMERS
INFRASTRUCTURE = {"rabbitmq", "postgres", "mailpit"}
API_PORTS = {"registration-api": 8001, "notification-api": 8002, "streaming-api": 8003}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


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


def test_compose_file_runs_every_process_of_the_spec_and_its_infrastructure(services):
    assert set(services) == RAKOR_PROCESSES | INFRASTRUCTURE


def test_every_compose_service_has_a_healthcheck(services):
    missing = [name for name, service in services.items() if not (service.get("healthcheck") or {}).get("test")]
    assert missing == []


def test_rakor_processes_run_the_one_image_built_from_the_dockerfile(services):
    builds = {name: (services[name].get("image"), str(services[name].get("build"))) for name in RAKOR_PROCESSES}
    assert len(set(builds.values())) == 1
    build = services["registration-api"]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE


def test_infrastructure_images_are_the_ones_the_stack_is_written_for(services):
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"
    assert services["rabbitmq"]["healthcheck"]["test"] == ["CMD", "rabbitmq-diagnostics", "-q", "ping"]
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert "8025:8025" in services["mailpit"]["ports"]


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
        if name not in KNOWN_VARIABLES | DEPLOY_ONLY_VARIABLES
    }
    assert unknown == set()


def test_env_example_holds_only_known_variables():
    variables = env_example_variables()
    assert "RAKOR_ADMIN_TOKEN" in variables
    assert set(variables) - (KNOWN_VARIABLES | DEPLOY_ONLY_VARIABLES) == set()


def test_env_example_admin_token_is_a_placeholder_that_does_not_start_the_stack():
    token = env_example_variables()["RAKOR_ADMIN_TOKEN"]
    assert "change" in token
    with pytest.raises(SettingsError, match="RAKOR_ADMIN_TOKEN"):
        load_settings("registration", environ={"RAKOR_ADMIN_TOKEN": token})


def test_rakor_processes_read_env_file_and_restart_unless_stopped(services):
    for process in RAKOR_PROCESSES:
        assert services[process]["env_file"] in (".env", [".env"])
        assert services[process]["restart"] == "unless-stopped"
    for name in INFRASTRUCTURE:
        assert services[name]["restart"] == "unless-stopped"


@pytest.mark.parametrize("process", sorted(RAKOR_PROCESSES))
def test_each_process_uses_its_own_services_postgresql_database(services, process):
    environment = services[process]["environment"]
    url = environment["DATABASE_URL"]
    assert re.fullmatch(rf"postgresql://\w+:\w+@postgres:5432/{service_of(process)}", url)
    settings = load_settings(service_of(process), environ={"RAKOR_ADMIN_TOKEN": "x" * 16, **{k: interpolated_default(v) for k, v in environment.items()}})
    assert settings.database_url.endswith(f"/{service_of(process)}")
    assert settings.rabbitmq_url.startswith("amqp://") and "@rabbitmq:5672/" in settings.rabbitmq_url


def test_mail_goes_to_mailpit_by_default(services):
    environment = services["notification-worker"]["environment"]
    assert interpolated_default(environment["SMTP_HOST"]) == "mailpit"
    assert interpolated_default(environment["SMTP_PORT"]) == "1025"


def test_postgres_init_script_creates_one_database_per_service(services):
    mounts = [volume.split(":") for volume in services["postgres"]["volumes"]]
    scripts = [ROOT / source for source, target, *_ in mounts if target.startswith("/docker-entrypoint-initdb.d/")]
    assert len(scripts) == 1 and scripts[0].is_file()
    created = re.findall(r"CREATE DATABASE (\w+)", scripts[0].read_text(encoding="utf-8"), flags=re.IGNORECASE)
    assert sorted(created) == sorted(SERVICES)


def test_published_host_ports_do_not_collide(services):
    published = []
    for name, service in services.items():
        for mapping in service.get("ports", []):
            parts = interpolated_default(mapping).split(":")
            assert len(parts) >= 2, f"{name}: {mapping} publishes a random host port"
            published.append(parts[-2])
    assert len(published) == len(set(published)), published


def test_depends_on_waits_for_healthy_dependencies(services):
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on without conditions"
        for dependency, condition in depends_on.items():
            assert condition == {"condition": "service_healthy"}, f"{name} -> {dependency}"
            assert "healthcheck" in services[dependency]
    for process in RAKOR_PROCESSES:
        assert {"postgres", "rabbitmq"} <= set(services[process]["depends_on"])
    assert "mailpit" in services["notification-worker"]["depends_on"]


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
    assert set(dev_runner.PROCESSES) == RAKOR_PROCESSES
    for process, command in dev_runner.PROCESSES.items():
        assert shlex.split(command) == services[process]["command"], process
