"""Streaming service: Zoom and YouTube channels per meeting, personal join links, online joins."""
