"""Correlation ids: unique within a process and across forked gunicorn workers."""

from __future__ import annotations

import os
import re

from shared.correlation import new_correlation_id


def test_ids_are_32_hex_digits_and_never_repeat_in_a_process():
    ids = [new_correlation_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids)


def test_a_forked_worker_does_not_repeat_its_parents_ids():
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: what a gunicorn worker would hand out first
        os.write(write_end, ",".join(new_correlation_id() for _ in range(100)).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as pipe:
        child_ids = set(pipe.read().split(","))
    parent_ids = {new_correlation_id() for _ in range(100)}
    assert len(child_ids) == 100
    assert not child_ids & parent_ids
