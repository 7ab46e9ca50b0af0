"""Prometheus metrics of the streaming service: links issued and revoked, link visits by outcome."""

from __future__ import annotations

from prometheus_client import Counter

LINKS_ISSUED = Counter("rakor_stream_links_issued_total", "Personal join links issued (publish and automatic)")
LINKS_REVOKED = Counter("rakor_stream_links_revoked_total", "Personal join links revoked (cancelled, moved in person)")
VISITS = Counter("rakor_stream_link_visits_total", "Visits of /j/{token} by outcome", ["outcome"])
# Bound once: the join hot path increments without a label lookup.
VISIT_OUTCOMES = {
    name: VISITS.labels(name) for name in ("redirect", "early", "over", "revoked", "cancelled", "unknown", "no_channel", "rate_limited")
}
