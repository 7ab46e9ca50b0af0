"""The check-in code as a QR code PNG, scanned at the venue's door."""

from __future__ import annotations

import struct
import zlib

import qrcode

BOX_PIXELS = 6
BORDER_MODULES = 2


def qr_png(data: str) -> bytes:
    """A PNG of a QR code holding `data`.

    qrcode builds the matrix; the PNG is written here, because its pure-Python image backend took
    about 10 ms per code, the largest part of a confirmation mail's CPU. A fixed mask pattern
    skips qrcode's trial of all eight masks (that only tunes contrast; every mask scans).
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=BORDER_MODULES, mask_pattern=2)
    code.add_data(data)
    code.make(fit=True)
    return _png_from_matrix(code.get_matrix(), BOX_PIXELS)


def _png_from_matrix(matrix: list[list[bool]], scale: int) -> bytes:
    # 8-bit grayscale: 0 for a dark module, 255 for a light one; each row starts with filter byte 0.
    rows = []
    for modules in matrix:
        line = b"".join((b"\x00" if dark else b"\xff") * scale for dark in modules)
        rows.extend([b"\x00" + line] * scale)
    size = len(matrix) * scale
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
