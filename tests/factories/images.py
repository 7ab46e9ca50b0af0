"""Small real images for logo and letterhead tests: a PNG, a JPEG and a safe SVG."""

from __future__ import annotations

import io

from PIL import Image


def make_png(width: int = 120, height: int = 120) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (11, 92, 173)).save(buffer, "PNG")
    return buffer.getvalue()


def make_jpeg(width: int = 200, height: int = 100) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


GARUDA_SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><defs><linearGradient id="g"><stop offset="0" stop-color="#b8860b"/></linearGradient></defs><circle cx="32" cy="32" r="30" fill="url(#g)"/><use href="#g"/></svg>'
