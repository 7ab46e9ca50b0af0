"""The check-in code as a QR code PNG, scanned at the venue's door."""
from __future__ import annotations

import io

import qrcode
from qrcode.image.pure import PyPNGImage


def qr_png(data: str) -> bytes:
    """A PNG of a QR code holding `data` (pure Python: no imaging library needed)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2, image_factory=PyPNGImage)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()
