"""Deployment: the container image, gunicorn settings, the local runner and the OpenAPI exporter."""
