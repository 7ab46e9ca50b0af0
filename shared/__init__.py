"""Rakor's shared package: event contract (schemas), settings, storage and the one messaging layer."""
