"""Deployment files: compose stack, image, gunicorn settings, local runner."""
