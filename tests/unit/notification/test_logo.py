"""Logo uploads: PNG, JPEG and safe SVG accepted by their bytes; anything broken, too big or able to load or run something refused."""

from __future__ import annotations

import pytest

from services.notification.domain.logo import JPEG, MAX_LOGO_BYTES, PNG, SVG, LogoRejected, check_logo
from tests.factories.images import GARUDA_SVG, make_jpeg, make_png


def test_png_jpeg_and_svg_are_recognised_by_their_bytes():
    assert check_logo(make_png(120, 60)).content_type == PNG and check_logo(make_png(120, 60)).width == 120
    assert check_logo(make_jpeg()).content_type == JPEG
    assert check_logo(GARUDA_SVG).content_type == SVG


@pytest.mark.parametrize(
    "data, says",
    [
        (b"", "empty"),
        (b"GIF89a" + b"\x00" * 40, "Only PNG, JPEG or SVG"),
        (b"%PDF-1.7\n", "Only PNG, JPEG or SVG"),
        (make_png()[:60], "readable PNG"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 30, "readable JPEG"),
        (make_png(8, 8), "between 16 and 4096"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_LOGO_BYTES + 1), "At most 256 KiB"),
    ],
)
def test_broken_foreign_tiny_or_huge_images_are_refused(data, says):
    with pytest.raises(LogoRejected, match=says):
        check_logo(data)


@pytest.mark.parametrize(
    "svg, says",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><image x:href="https://tracker.example/p.png"/></svg>',
            "must not load",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>', "foreignobject"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/a.css);</style></svg>', "stylesheet"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://x.example/f)"/></svg>', "style loads"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', "well-formed"),
        (b'<?xml version="1.0"?><html><body/></html>', "root element"),
        (b"<svg><g></svg>", "well-formed"),
    ],
)
def test_svg_that_could_run_or_fetch_anything_is_refused(svg, says):
    with pytest.raises(LogoRejected, match=says):
        check_logo(svg)
