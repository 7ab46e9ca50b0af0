"""The console's messages page names every status and channel the notification API can answer with."""

from services.console.views import messages
from services.notification.domain import delivery
from services.notification.domain.messages import CHANNELS


def test_the_messages_page_knows_every_notification_status():
    assert set(messages.STATUSES) == set(delivery.STATUSES)


def test_the_messages_page_knows_every_channel():
    assert set(messages.CHANNELS) == set(CHANNELS)
