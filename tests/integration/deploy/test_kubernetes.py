"""Static checks of deploy/kubernetes: schema-valid offline, every Procfile process deployed with probes, no secret inline, the network as documented.

No cluster and no kustomize binary: the kustomization's resources are read here, each object is
validated against the Kubernetes JSON schema bundled with kubernetes-validate (strict: an unknown
field is an error), and then compared with deploy/Procfile, the settings and the README's commands.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from services.console.settings import VARIABLES as CONSOLE_VARIABLES
from shared.settings import KNOWN_VARIABLES, SERVICES
from tests.integration.deploy.test_compose import DEPLOY_ONLY_VARIABLES

ROOT = Path(__file__).resolve().parents[3]
KUBERNETES = ROOT / "deploy" / "kubernetes"
PROCFILE = ROOT / "deploy" / "Procfile"
# The oldest Kubernetes release still supported upstream when these manifests were written.
KUBERNETES_VERSION = "1.30.0"
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|KEY|SID", re.IGNORECASE)
URL_WITH_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/@\s:]*:[^@\s]+@", re.IGNORECASE)
API_PORTS = {"registration-api": 8001, "notification-api": 8002, "streaming-api": 8003, "console-api": 8004}
AUTOSCALED = {"registration-api", "notification-api", "streaming-api", "notification-worker"}


def procfile() -> dict[str, list[str]]:
    lines = PROCFILE.read_text(encoding="utf-8").splitlines()
    return {name: shlex.split(command) for name, command in (line.split(": ", 1) for line in lines if line and not line.startswith("#"))}


def load_objects() -> list[dict]:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    objects = []
    for resource in kustomization["resources"]:
        objects += [doc for doc in yaml.safe_load_all((KUBERNETES / resource).read_text(encoding="utf-8")) if doc]
    return objects


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    return load_objects()


def of_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def container(workload: dict) -> dict:
    (only,) = workload["spec"]["template"]["spec"]["containers"]
    return only


def pod_labels(workload: dict) -> dict:
    return workload["spec"]["template"]["metadata"]["labels"]


def selects(selector: dict, labels: dict) -> bool:
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items()) and not selector.get("matchExpressions")


def test_every_file_of_the_directory_is_a_resource_of_the_kustomization():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    assert kustomization["namespace"] == "rakor"


def test_every_object_is_valid_against_the_kubernetes_schema(objects):
    problems = []
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message} at {'/'.join(map(str, exc.path))}")
    assert problems == []


def test_the_schema_check_refuses_a_misspelt_field(objects):
    """The validation above would catch a typo: strict mode is on and the schemas are there offline."""
    deployment = yaml.safe_load(yaml.safe_dump(of_kind(objects, "Deployment")["registration-api"]))
    container(deployment)["readinesProbe"] = container(deployment).pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


def test_every_procfile_process_has_a_deployment_running_its_command_with_probes(objects):
    deployments = of_kind(objects, "Deployment")
    assert set(deployments) == set(procfile())
    for name, argv in procfile().items():
        spec = container(deployments[name])
        assert spec["command"] == argv, name
        for probe in ("livenessProbe", "readinessProbe"):
            assert probe in spec, f"{name} has no {probe}"
        if name in API_PORTS:
            assert spec["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert spec["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert spec["ports"] == [{"name": "http", "containerPort": API_PORTS[name]}]
        else:
            heartbeat = ["python", "-m", "shared.healthcheck", f"/data/{name}.alive", "--max-age", "30"]
            assert spec["livenessProbe"]["exec"]["command"] == heartbeat
            assert spec["readinessProbe"]["exec"]["command"] == heartbeat


def test_every_container_has_memory_requests_and_limits_and_runs_unprivileged(objects):
    for workload in [*of_kind(objects, "Deployment").values(), *of_kind(objects, "Job").values()]:
        spec = container(workload)
        resources = spec["resources"]
        assert resources["requests"]["memory"] and resources["requests"]["cpu"], workload["metadata"]["name"]
        assert _mebibytes(resources["limits"]["memory"]) >= _mebibytes(resources["requests"]["memory"])
        assert spec["securityContext"]["allowPrivilegeEscalation"] is False
        assert workload["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def _mebibytes(quantity: str) -> int:
    assert quantity.endswith("Mi"), quantity
    return int(quantity[:-2])


def test_only_the_migration_job_migrates(objects):
    config = of_kind(objects, "ConfigMap")
    assert config["rakor-config"]["data"]["MIGRATE_ON_START"] == "0"
    for name, deployment in of_kind(objects, "Deployment").items():
        if name == "console-api":
            continue  # no database
        sources = [source["configMapRef"]["name"] for source in container(deployment)["envFrom"]]
        assert "rakor-config" in sources, name
        assert all(entry["name"] != "MIGRATE_ON_START" for entry in container(deployment)["env"])
    job = container(of_kind(objects, "Job")["rakor-migrate"])
    assert job["command"] == ["rakor", "migrate"]
    urls = {entry["name"]: entry["valueFrom"]["secretKeyRef"] for entry in job["env"]}
    assert {f"{service.upper()}_DATABASE_URL" for service in SERVICES} <= set(urls)
    assert all(urls[f"{service.upper()}_DATABASE_URL"] == {"name": f"rakor-{service}", "key": "DATABASE_URL"} for service in SERVICES)


def _env_entries(objects):
    for workload in [*of_kind(objects, "Deployment").values(), *of_kind(objects, "Job").values()]:
        for entry in container(workload).get("env", []):
            yield workload["metadata"]["name"], entry


def test_no_manifest_holds_a_secret_value(objects):
    assert not of_kind(objects, "Secret"), "Secrets are created with kubectl (README.md), not kept here"
    for workload, entry in _env_entries(objects):
        if "value" in entry:
            assert not SECRET_NAME.search(entry["name"]), f"{workload}: {entry['name']} is set inline"
            assert not URL_WITH_PASSWORD.search(entry["value"]), f"{workload}: {entry['name']} holds a password"
        else:
            assert set(entry["valueFrom"]) == {"secretKeyRef"}, entry
    for config in of_kind(objects, "ConfigMap").values():
        for name, value in config["data"].items():
            assert not SECRET_NAME.search(name), f"{config['metadata']['name']}: {name} belongs in a Secret"
            assert not URL_WITH_PASSWORD.search(value), f"{config['metadata']['name']}: {name} holds a password"
    # Credentials in URLs travel whole in Secrets: a URL variable carrying one is never inline.
    for workload, entry in _env_entries(objects):
        if entry["name"] in {"DATABASE_URL", "RABBITMQ_URL", "RATE_LIMIT_STORAGE_URL"} or entry["name"].endswith("_DATABASE_URL"):
            assert "valueFrom" in entry, f"{workload}: {entry['name']}"


def test_the_secret_check_catches_an_inline_password():
    leaky = [
        {"name": "SMTP_PASSWORD", "value": "rahasia"},
        {"name": "DATABASE_URL", "value": "postgresql://registration:rahasia@postgres/registration"},
    ]
    assert SECRET_NAME.search(leaky[0]["name"]) and URL_WITH_PASSWORD.search(leaky[1]["value"])
    assert not URL_WITH_PASSWORD.search("http://registration-api:8001")


def test_every_secret_key_referenced_is_created_by_the_readme(objects):
    readme = (KUBERNETES / "README.md").read_text(encoding="utf-8")
    commands = {match.group(1): match.group(0) for match in re.finditer(r"create secret generic (\S+)(?:[^\n]*\\\n)*[^\n]*", readme)}
    for workload, entry in _env_entries(objects):
        if "valueFrom" not in entry:
            continue
        ref = entry["valueFrom"]["secretKeyRef"]
        if ref.get("optional"):
            assert ref["key"] in readme, f"{workload}: optional {ref['key']} undocumented"
        else:
            assert f"--from-literal={ref['key']}=" in commands.get(ref["name"], ""), (
                f"{workload}: {ref['name']}/{ref['key']} is never created"
            )


def test_every_variable_set_is_one_the_processes_read(objects):
    known = KNOWN_VARIABLES | DEPLOY_ONLY_VARIABLES | set(CONSOLE_VARIABLES)
    names = {entry["name"] for _, entry in _env_entries(objects)}
    for config in of_kind(objects, "ConfigMap").values():
        names |= set(config["data"])
    assert names - known == set()


def test_each_api_has_a_service_on_its_port(objects):
    services = of_kind(objects, "Service")
    deployments = of_kind(objects, "Deployment")
    assert set(services) == set(API_PORTS)
    for name, service in services.items():
        assert selects({"matchLabels": service["spec"]["selector"]}, pod_labels(deployments[name]))
        assert [(p["port"], p["targetPort"]) for p in service["spec"]["ports"]] == [(API_PORTS[name], "http")]
    console = of_kind(objects, "ConfigMap")["rakor-console"]["data"]
    assert console["REGISTRATION_URL"] == "http://registration-api:8001"


def test_the_console_keeps_its_sessions_on_a_volume_as_one_pod(objects):
    """Sign-in sessions are files under DATA_DIR: a second pod, or a fresh emptyDir, would sign everyone out."""
    console = of_kind(objects, "Deployment")["console-api"]
    assert console["spec"]["replicas"] == 1 and console["spec"]["strategy"] == {"type": "Recreate"}
    volumes = {v["name"]: v for v in console["spec"]["template"]["spec"]["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container(console)["volumeMounts"]}
    claim = volumes[mounts[of_kind(objects, "ConfigMap")["rakor-console"]["data"]["DATA_DIR"]]]["persistentVolumeClaim"]["claimName"]
    assert claim in of_kind(objects, "PersistentVolumeClaim")
    assert all(s["spec"]["scaleTargetRef"]["name"] != "console-api" for s in of_kind(objects, "HorizontalPodAutoscaler").values())


def test_every_deployment_has_a_disruption_budget_and_the_apis_and_notification_worker_autoscale(objects):
    deployments = of_kind(objects, "Deployment")
    budgets = of_kind(objects, "PodDisruptionBudget")
    for name, deployment in deployments.items():
        matching = [b for b in budgets.values() if selects(b["spec"]["selector"], pod_labels(deployment))]
        assert len(matching) == 1, name
        assert matching[0]["spec"].get("maxUnavailable") == 1 or matching[0]["spec"].get("minAvailable") == 1
    scalers = of_kind(objects, "HorizontalPodAutoscaler")
    assert {s["spec"]["scaleTargetRef"]["name"] for s in scalers.values()} == AUTOSCALED
    for scaler in scalers.values():
        target = deployments[scaler["spec"]["scaleTargetRef"]["name"]]
        assert (
            scaler["spec"]["minReplicas"] >= 2
            and scaler["spec"]["minReplicas"] <= target["spec"]["replicas"] <= scaler["spec"]["maxReplicas"]
        )


def _policies_of(objects, labels: dict) -> list[dict]:
    return [p for p in of_kind(objects, "NetworkPolicy").values() if selects(p["spec"]["podSelector"], labels)]


def test_everything_not_allowed_is_denied(objects):
    default = of_kind(objects, "NetworkPolicy")["default-deny"]["spec"]
    assert default == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    dns = of_kind(objects, "NetworkPolicy")["dns"]["spec"]
    assert dns["policyTypes"] == ["Egress"] and [p["port"] for p in dns["egress"][0]["ports"]] == [53, 53]


def test_each_process_has_its_own_network_policy_reaching_only_its_database_and_the_broker(objects):
    deployments = of_kind(objects, "Deployment")
    workloads = {**deployments, "migrate": of_kind(objects, "Job")["rakor-migrate"]}
    for name, workload in workloads.items():
        own = [p for p in _policies_of(objects, pod_labels(workload)) if p["spec"]["podSelector"]]
        assert [p["metadata"]["name"] for p in own] == [name]
        spec = own[0]["spec"]
        assert spec["policyTypes"] == ["Ingress", "Egress"]
        service = pod_labels(workload).get("rakor.io/service")
        databases = {
            peer["podSelector"]["matchLabels"]["rakor.io/database"]
            for rule in spec["egress"]
            for peer in rule.get("to", [])
            if "rakor.io/database" in peer.get("podSelector", {}).get("matchLabels", {})
        }
        others = [
            peer["podSelector"]["matchLabels"].get("app.kubernetes.io/component")
            or peer["podSelector"]["matchLabels"].get("app.kubernetes.io/name")
            for rule in spec["egress"]
            for peer in rule.get("to", [])
            if "podSelector" in peer and "rakor.io/database" not in peer["podSelector"].get("matchLabels", {})
        ]
        if name == "migrate":
            assert databases == set(SERVICES) and others == []
        elif name == "console-api":
            assert databases == set() and sorted(others) == sorted(f"{s}-api" for s in SERVICES)
        else:
            assert databases == {service}, name
            assert sorted(others) == (["rabbitmq", "redis"] if name in API_PORTS else ["rabbitmq"]), name
        outside = [peer for rule in spec["egress"] for peer in rule.get("to", []) if "ipBlock" in peer]
        if name == "notification-worker":
            assert outside and all("10.0.0.0/8" in peer["ipBlock"]["except"] for peer in outside)
        else:
            assert outside == [], f"{name} reaches outside the cluster"


def test_apis_are_reached_from_the_ingress_controller_and_workers_from_nothing(objects):
    for name, workload in {**of_kind(objects, "Deployment"), "migrate": of_kind(objects, "Job")["rakor-migrate"]}.items():
        (policy,) = [p for p in _policies_of(objects, pod_labels(workload)) if p["spec"]["podSelector"]]
        ingress = policy["spec"]["ingress"]
        if name not in API_PORTS:
            assert ingress == [], f"{name} accepts connections"
            continue
        (rule,) = ingress
        assert [p["port"] for p in rule["ports"]] == [API_PORTS[name]]
        namespaces = [peer["namespaceSelector"]["matchLabels"] for peer in rule["from"] if "namespaceSelector" in peer]
        pods = [peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for peer in rule["from"] if "podSelector" in peer]
        assert namespaces == [{"kubernetes.io/metadata.name": "ingress-nginx"}]
        assert pods == ([] if name == "console-api" else ["console-api"])
