"""Reading rendered PDFs back in tests: their text (pypdf) and the QR codes on a page (pdftoppm, then zxing-cpp)."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader


def pdf_text(document: bytes) -> list[str]:
    """The extracted text of each page."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(document)).pages]


def qr_codes_on_page(document: bytes, page: int = 1, dpi: int = 150) -> list[str]:
    """Every QR code poppler's rendering of `page` shows, decoded."""
    import zxingcpp
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    png = subprocess.run(
        ["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-"], input=document, capture_output=True, check=True
    ).stdout
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png))) if code.format == zxingcpp.BarcodeFormat.QRCode]
