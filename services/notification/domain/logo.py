"""An organizer's logo, checked before it is ever mailed: PNG, JPEG or a script-free, self-contained SVG.

The type comes from the bytes (magic numbers), never from the client's Content-Type, and the image is
parsed in full: a truncated PNG or a JPEG without a frame is refused, as is an SVG that could run
script or fetch anything (mail clients that render SVG would otherwise load a tracker or worse).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

MAX_LOGO_BYTES = 256 * 1024
MIN_SIDE, MAX_SIDE = 16, 4096
PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"

# Elements that run code, embed other documents or animate attributes into links.
_SVG_FORBIDDEN = {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "animate", "set", "handler", "listener"}
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)


class LogoRejected(ValueError):
    """The upload is not a logo that may go into mail; the message says why, for the organizer."""


@dataclass(frozen=True)
class CheckedLogo:
    content_type: str
    width: int | None
    height: int | None


def check_logo(data: bytes) -> CheckedLogo:
    """The logo's type and size in pixels; raise LogoRejected when it is too big, of another type, broken or unsafe."""
    if not data:
        raise LogoRejected("The body is empty; send the image bytes.")
    if len(data) > MAX_LOGO_BYTES:
        raise LogoRejected(f"At most {MAX_LOGO_BYTES // 1024} KiB.")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _raster(data, "PNG", PNG)
    if data.startswith(b"\xff\xd8\xff"):
        return _raster(data, "JPEG", JPEG)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")):
        return _svg(data)
    raise LogoRejected("Only PNG, JPEG or SVG images are accepted.")


def _raster(data: bytes, format_name: str, content_type: str) -> CheckedLogo:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=[format_name]) as image:
            width, height = image.size
            image.load()  # decodes every pixel: a truncated or corrupt file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise LogoRejected(f"Not a readable {format_name} image ({type(exc).__name__}).") from None
    _check_side(width, height)
    return CheckedLogo(content_type, width, height)


def _check_side(width: int, height: int) -> None:
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise LogoRejected(f"Width and height must be between {MIN_SIDE} and {MAX_SIDE} pixels (this one is {width}x{height}).")


def _svg(data: bytes) -> CheckedLogo:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        # No DTD at all: entities (billion laughs) and external entities are refused before parsing.
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise LogoRejected(f"Not a well-formed SVG document ({type(exc).__name__}).") from None
    if _local(root.tag) != "svg":
        raise LogoRejected("The document's root element must be <svg>.")
    for element in root.iter():
        name = _local(element.tag)
        if name in _SVG_FORBIDDEN:
            raise LogoRejected(f"SVG element <{name}> is not allowed in a logo.")
        for attribute, value in element.attrib.items():
            _check_svg_attribute(name, _local(attribute), value)
        if name == "style" and element.text and ("@import" in element.text.lower() or _EXTERNAL_URL.search(element.text)):
            raise LogoRejected("An SVG stylesheet may not load anything.")
    return CheckedLogo(SVG, None, None)


def _check_svg_attribute(element: str, attribute: str, value: str) -> None:
    lowered = attribute.lower()
    if lowered.startswith("on"):
        raise LogoRejected(f"SVG event handler {attribute} on <{element}> is not allowed.")
    if lowered == "href" and not value.strip().startswith("#"):
        raise LogoRejected(f"<{element}> refers to {value[:60]!r}; a logo must not load anything.")
    if lowered == "style" and _EXTERNAL_URL.search(value):
        raise LogoRejected(f"<{element}> style loads a URL; a logo must not load anything.")


def _local(tag: str) -> str:
    """'{http://www.w3.org/2000/svg}svg' -> 'svg' (namespaces do not change what an element does)."""
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""
