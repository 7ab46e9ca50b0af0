"""A minimal WSGI app with /healthz, served by gunicorn in the rig's own tests."""

import os


def app(environ, start_response):
    """Answer /healthz with 200 and this worker's pid; everything else 404."""
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"ok {os.getpid()} {os.environ.get('RIG_MARKER', '')}".encode()]
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]
