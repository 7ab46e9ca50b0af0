"""Tests that start a three-node RabbitMQ cluster (tests/fixtures/cluster.py): marked ``cluster``, run by ``make test-cluster``.

They take a few minutes and start some twenty processes, so ``make test`` leaves them out: without
``-m cluster`` (or another -m naming the mark) they are reported as skipped, with the command to use.
"""

import pytest


def pytest_collection_modifyitems(config, items):
    if "cluster" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="starts a 3-node RabbitMQ cluster: run with `make test-cluster` (pytest -m cluster tests/cluster)")
    for item in items:
        if item.get_closest_marker("cluster"):
            item.add_marker(skip)
