"""The bus layout's queues: all quorum, every broker-side dead-lettering at-least-once with a real target."""

from shared.messaging import topology
from shared.messaging.access import bus_permissions

DELAYS = (5, 30)


def test_every_queue_of_every_service_is_a_quorum_queue():
    for service in topology.SUBSCRIPTIONS:
        queues = topology.queue_arguments(service, DELAYS)
        assert set(queues) == {
            topology.queue_name(service),
            topology.dead_letter_queue_name(service),
            *(topology.retry_queue_name(service, d) for d in DELAYS),
        }
        assert {args["x-queue-type"] for args in queues.values()} == {"quorum"}


def test_the_main_queue_dead_letters_past_the_delivery_limit_into_the_dead_letter_queue():
    args = topology.queue_arguments("notification", DELAYS)["rakor.notification"]
    assert args["x-delivery-limit"] == topology.DELIVERY_LIMIT > 0
    # Through the service's requeue exchange, where the dead-letter queue is bound under its own name.
    assert (args["x-dead-letter-exchange"], args["x-dead-letter-routing-key"]) == ("rakor.notification.requeue", "rakor.notification.dead")
    assert (args["x-dead-letter-strategy"], args["x-overflow"]) == ("at-least-once", "reject-publish")


def test_retry_tiers_hold_for_their_delay_then_go_back_to_the_main_queue_at_least_once():
    for delay in DELAYS:
        args = topology.queue_arguments("streaming", DELAYS)[topology.retry_queue_name("streaming", delay)]
        assert args["x-message-ttl"] == delay * 1000
        assert (args["x-dead-letter-exchange"], args["x-dead-letter-routing-key"]) == ("", "rakor.streaming")
        assert (args["x-dead-letter-strategy"], args["x-overflow"]) == ("at-least-once", "reject-publish")


def test_the_dead_letter_queue_is_the_end_of_the_line():
    args = topology.queue_arguments("registration", DELAYS)["rakor.registration.dead"]
    assert args == {"x-queue-type": "quorum"}  # no limit: listing it must never destroy what it lists


def test_each_service_user_may_read_all_of_its_own_quorum_queues():
    import re

    for service in topology.SUBSCRIPTIONS:
        read = re.compile(bus_permissions(service).read)
        assert all(read.match(queue) for queue in topology.queue_arguments(service, DELAYS))
