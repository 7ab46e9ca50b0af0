"""The font every Rakor PDF embeds: Source Sans Pro (SIL OFL), from the `font-source-sans-pro` package.

Shipped as a Python dependency rather than found on the machine: a subset is embedded in each PDF,
so every Latin name with its diacritics prints the same wherever the service runs. ReportLab reads
each file once per process and keeps it in its registry.
"""
from __future__ import annotations

import threading
from importlib import resources

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD = "SourceSansPro", "SourceSansPro-Bold"

_lock = threading.Lock()
_ready = False


def register_fonts() -> None:
    """Make REGULAR and BOLD known to ReportLab (once per process; later calls return at once)."""
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        # Binary streams instead of ASCII85: a fifth smaller and no encoding time. Rakor's PDFs are
        # the only ReportLab documents in a process, so the global switch is ours to set.
        rl_config.useA85 = 0
        files = resources.files("font_source_sans_pro") / "files"
        pdfmetrics.registerFont(TTFont(REGULAR, str(files / "SourceSansPro-Regular.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(files / "SourceSansPro-Bold.ttf")))
        _ready = True
