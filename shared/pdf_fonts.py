"""The font every Rakor PDF embeds: Source Sans Pro (SIL OFL), from the `font-source-sans-pro` package.

Shipped as a Python dependency rather than found on the machine: a subset is embedded in each PDF,
so every Latin name with its diacritics prints the same wherever the service runs. ReportLab reads
each file once per process and keeps it in its registry.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from importlib import resources

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR, BOLD = "SourceSansPro", "SourceSansPro-Bold"

_lock = threading.Lock()
_ready = False
# ReportLab's TrueType fonts are not thread-safe: building a document's subset reads the shared font
# file through one cursor, and two threads at once get each other's glyphs or an IndexError (seen
# with the notification worker's sender threads). Documents are drawn one at a time per process;
# rendering is pure Python, so under the GIL the threads would not have run side by side anyway.
_render_lock = threading.Lock()


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


@contextlib.contextmanager
def rendering() -> Iterator[None]:
    """Hold while a PDF using these fonts is drawn and saved (see _render_lock)."""
    register_fonts()
    with _render_lock:
        yield
