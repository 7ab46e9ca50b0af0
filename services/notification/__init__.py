"""Notification service: tells participants, by email and SMS, what happened to their registration and meeting."""
