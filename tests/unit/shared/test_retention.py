"""The retention periods and the purge loop."""

import datetime as dt
import threading

from shared.retention import PurgeLoop, cutoffs

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def test_cutoffs_follow_the_documented_periods():
    limits = cutoffs(NOW, 90)
    assert NOW - limits.idempotent_replies == dt.timedelta(days=2)
    assert NOW - limits.processed_marks == dt.timedelta(days=30)
    assert NOW - limits.sent_outbox == dt.timedelta(days=7)
    assert NOW - limits.meetings_ended_before == dt.timedelta(days=90)


def test_the_loop_survives_a_failing_purge_and_runs_again():
    calls, done = [], threading.Event()

    def purge():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        done.set()
        return {"rows": 1}

    loop = PurgeLoop("test", purge, every=0.01)
    loop.start()
    try:
        assert done.wait(5)
    finally:
        loop.stop()
        loop.join(5)
    assert len(calls) >= 2 and not loop.is_alive()
