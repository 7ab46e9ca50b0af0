"""Tables as CSV files a spreadsheet opens safely: UTF-8 with a BOM, formula-looking cells neutralized."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Excel and LibreOffice run a cell that starts with one of these as a formula (=HYPERLINK(...),
# +cmd|..., @SUM(...)); tab and CR can precede one. A leading apostrophe makes the cell text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a file without a byte order mark as the local code page, which garbles "Zoë" or "Ñ".
BOM = "\ufeff"


def neutralize_cell(value: Any) -> Any:
    """`value` unchanged, unless it is text a spreadsheet would run as a formula: then prefixed with '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_document(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The CSV file of `rows` (keys outside `columns` are left out) as UTF-8 bytes with a BOM."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: neutralize_cell(value) for key, value in row.items()})
    return buffer.getvalue().encode("utf-8")
