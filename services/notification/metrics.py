"""Prometheus metrics of deliveries: sent, failed, retried, and how long a send takes."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SENT = Counter("rakor_notifications_sent_total", "Notifications handed to the SMTP server or SMS provider", ["channel", "kind"])
FAILED = Counter(
    "rakor_notifications_failed_total", "Notifications that failed for good (permanent) or ran out of retries (dead)", ["channel", "reason"]
)
RETRIED = Counter("rakor_notifications_retried_total", "Transient delivery failures that will be tried again", ["channel"])
SEND_SECONDS = Histogram(
    "rakor_notification_send_seconds",
    "Time to render and hand over one notification",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
DELIVERED = Counter(
    "rakor_notifications_delivered_total", "Notifications the provider reported delivered to the phone (receipts)", ["channel"]
)
READ = Counter("rakor_notifications_read_total", "Notifications the provider reported read (WhatsApp receipts)", ["channel"])
