"""Relays and consumers have no HTTP app; with WORKER_METRICS_PORT they serve their Prometheus metrics."""

from __future__ import annotations

import sys

import requests

from tests.fixtures.processes import free_port


def test_consumer_process_serves_its_metrics_when_asked(start_process, amqp_url, tmp_path):
    port = free_port()
    process = start_process(
        [sys.executable, "-m", "services.registration.worker"],
        env={"RABBITMQ_URL": amqp_url, "DATA_DIR": str(tmp_path), "WORKER_METRICS_PORT": str(port)},
        health_url=f"http://127.0.0.1:{port}/metrics",
    )
    body = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert "rakor_consumer_handle_seconds" in body
    process.stop()
    assert process.returncode == 0
