"""Test data builders shared by every layer of the tests (unit, integration, reliability, end to end).

    envelopes      bus message bodies as the producers publish them
    notification   payloads of the events the notification service hears (model meeting: Rakor JFPH, 1 Desember 2021)
    registration   request bodies of the registration API, door tokens made through it
    streaming      meetings running now, registrations of four participants in turn, channel links
    images         a real PNG, JPEG and a safe SVG for logos

Harnesses and probes that drive a service (a test client wrapper, a bus feeder) stay with the tests of that service.
"""
