"""The ceiling for bench.streaming_join: a bare Flask endpoint that answers every /j/{token} with a fixed redirect."""

from __future__ import annotations

from flask import Flask, redirect

app = Flask("bare")


@app.get("/j/<token>")
def join(token: str):
    """Redirect without looking anything up."""
    return redirect("https://us02web.zoom.us/j/81234567890", 302)
