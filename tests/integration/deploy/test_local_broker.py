"""`make run` without a broker: a private RabbitMQ node under var/, never the machine's own broker."""

from __future__ import annotations

import subprocess
import uuid

import pika
import pytest

from deploy import dev_runner, local_broker
from deploy.local_broker import PrivateNode, answers, free_port, rabbitmq_scripts


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_private_node_runs_on_its_own_ports_and_files_and_stops(tmp_path):
    scripts = rabbitmq_scripts()
    if scripts is None:
        pytest.skip("rabbitmq-server is not installed")
    node = PrivateNode(tmp_path / "var" / "rabbitmq", scripts, port=free_port(), dist_port=free_port())
    assert node.port != 5672 and node.nodename.startswith("rakor-") and node.nodename != "rabbit@localhost"
    queue = f"rakor-private-{uuid.uuid4().hex[:8]}"
    try:
        url = node.start(timeout=300)
        connection = pika.BlockingConnection(pika.URLParameters(url))
        connection.channel().queue_declare(queue)
        connection.close()
        # Everything of the node is under its base: data, logs, cookie; no management plugin listens.
        assert (node.base / "mnesia").is_dir() and (node.base / "log").is_dir() and (node.base / "home" / ".erlang.cookie").exists()
        assert node.environment()["RABBITMQ_ENABLED_PLUGINS_FILE"].startswith(str(node.base))
        assert (node.base / "enabled_plugins").read_text().strip() == "[]."
    finally:
        node.stop()
    assert not answers(node.port)
    # The queue went to the private node only: the machine's broker never saw it.
    assert queue not in _system_queues()


def _system_queues() -> set[str]:
    result = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name"], capture_output=True, text=True, timeout=60)
    return set(result.stdout.split()) if result.returncode == 0 else set()


def test_without_rabbitmq_or_docker_make_run_stops_with_one_line_saying_how_to_get_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(local_broker, "rabbitmq_scripts", lambda: None)
    monkeypatch.setattr(local_broker, "docker_answers", lambda: False)
    monkeypatch.setattr(dev_runner, "broker_answers", lambda url: False)
    monkeypatch.delenv("RABBITMQ_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setattr(dev_runner, "run", lambda env: pytest.fail("processes started without a broker"))
    assert dev_runner.main([]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "apt install rabbitmq-server" in err[0] and "RABBITMQ_URL" in err[0]


def test_the_debian_wrapper_is_bypassed_so_the_node_runs_as_the_caller(tmp_path):
    bin_dir = tmp_path / "lib" / "rabbitmq" / "bin"
    bin_dir.mkdir(parents=True)
    for name in ("rabbitmq-script-wrapper", "rabbitmq-server", "rabbitmqctl"):
        (bin_dir / name).write_text("#!/bin/sh\n")
    (tmp_path / "sbin").mkdir()
    (tmp_path / "sbin" / "rabbitmq-server").symlink_to(bin_dir / "rabbitmq-script-wrapper")
    server, ctl = rabbitmq_scripts(lambda name: str(tmp_path / "sbin" / name))
    assert (server, ctl) == (bin_dir / "rabbitmq-server", bin_dir / "rabbitmqctl")
    assert rabbitmq_scripts(lambda name: None) is None
