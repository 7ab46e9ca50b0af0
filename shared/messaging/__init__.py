"""The one messaging layer of Rakor: topology, outbox, relay, consumer runner. Only this package imports pika."""
