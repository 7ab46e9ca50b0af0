"""The background broker check behind /healthz: answers at once, runs the check off the caller's thread."""

from __future__ import annotations

import threading

import pytest

from shared.web.app_base import _CachedCheck


def test_first_answer_is_unknown_then_the_checks_result():
    check = _CachedCheck(lambda: None, ttl=60)
    assert check.settled(timeout=30) is None
    assert check() is None


def test_a_failing_check_is_reported_with_its_reason():
    def down():
        raise ConnectionError("broker unreachable")

    check = _CachedCheck(down, ttl=60)
    assert check.settled(timeout=30) == "ConnectionError: broker unreachable"


def test_a_thread_start_interrupted_by_a_stop_leaves_the_check_free_to_run_later(monkeypatch):
    # A stop signal in the caller's thread can end Thread.start() half-way; the check must not stay
    # "running" for ever (no later call would start it), and its lock must be free.
    check = _CachedCheck(lambda: None, ttl=60)
    original_start = threading.Thread.start

    def interrupted(self):
        raise SystemExit(0)

    monkeypatch.setattr(threading.Thread, "start", interrupted)
    with pytest.raises(SystemExit):
        check()
    monkeypatch.setattr(threading.Thread, "start", original_start)
    assert check._lock.acquire(blocking=False)
    check._lock.release()
    assert check.settled(timeout=30) is None
