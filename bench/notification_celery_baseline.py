"""The baseline the notification worker is measured against: Celery, 2 prefork processes, a new SMTP connection per mail.

Started by bench.notification_throughput as `celery -A bench.notification_celery_baseline worker`;
the task renders the same link email with the same templates, then opens smtplib, sends, quits.
It records nothing in a database, which only flatters the baseline.
"""

from __future__ import annotations

import os
import smtplib

from celery import Celery

from services.notification.content.mail_message import build_email
from services.notification.content.rendering import Renderer

app = Celery("rakor_bench_baseline", broker=os.environ.get("BENCH_CELERY_BROKER", "amqp://guest:guest@127.0.0.1:5672//"))
app.conf.update(task_acks_late=True, worker_prefetch_multiplier=4, task_ignore_result=True, worker_hijack_root_logger=False)
_renderer = Renderer()


@app.task(name="bench.send_link_email")
def send_link_email(context: dict, notification_id: str) -> None:
    rendered = _renderer.email(context)
    participant = context["participant"]
    message = build_email(
        rendered,
        sender="Panitia Rakor <rakor@kominfo.go.id>",
        to_name=participant["full_name"],
        to_address=participant["email"],
        message_key=notification_id,
    )
    smtp = smtplib.SMTP(os.environ["BENCH_SMTP_HOST"], int(os.environ["BENCH_SMTP_PORT"]), timeout=30)
    try:
        smtp.send_message(message, "rakor@kominfo.go.id", [participant["email"]])
    finally:
        smtp.quit()
