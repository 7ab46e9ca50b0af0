"""Certificate PDFs per second per core, and their size, against the same page without an embedded font.

    python -m bench.certificate_render [--certificates 500] [--rounds 3]

Pure rendering in one thread; the rate is per CPU second (time.process_time), so it is the rate of
one core whatever else the machine runs. Target: ≥ 100 PDFs/s per core, each ≤ 100 KB. The baseline
draws the same certificate with ReportLab's built-in Helvetica (no font embedded, latin-1 only): the
difference is what the embedded font that prints every name costs.
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

from services.notification.content import certificate_pdf

CERTIFICATE = {
    "number": "001/SERT/DJIKP/2021",
    "nip": "198507122010012003",
    "position": "Pranata Humas Ahli Muda",
    "agency_name": "Dinas Komunikasi dan Informatika Provinsi Bali",
    "meeting_title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    "meeting_date": "2021-12-01",
    "hours": 8,
}


def rate(count: int, fonts: tuple[str, str] | None) -> tuple[float, int]:
    """PDFs per CPU second and the largest size, rendering `count` distinct certificates."""
    patches = (
        [mock.patch.object(certificate_pdf, "REGULAR", fonts[0]), mock.patch.object(certificate_pdf, "BOLD", fonts[1])] if fonts else []
    )
    for patch in patches:
        patch.start()
    try:
        largest = 0
        start = time.process_time()
        for n in range(count):
            document = certificate_pdf.render_certificate(
                {
                    **CERTIFICATE,
                    "full_name": f"Ni Luh Putu Ayu Lestari {n}",
                    "verify_url": f"https://rakor.kominfo.go.id/c/q8Hx3kPZ0bT1vW9yA2c{n:04d}",
                }
            )
            largest = max(largest, len(document))
        return count / (time.process_time() - start), largest
    finally:
        for patch in patches:
            patch.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.certificate_render", description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rate(20, None)  # warm up: fonts read, code paths loaded
    results: dict[str, list[tuple[float, int]]] = {"Source Sans Pro embedded (shipped)": [], "Helvetica, nothing embedded (baseline)": []}
    for _ in range(args.rounds):
        results["Source Sans Pro embedded (shipped)"].append(rate(args.certificates, None))
        results["Helvetica, nothing embedded (baseline)"].append(rate(args.certificates, ("Helvetica", "Helvetica-Bold")))
    baseline = max(r for r, _ in results["Helvetica, nothing embedded (baseline)"])
    print(f"{args.certificates} certificates per round, best of {args.rounds} rounds, one thread")
    for name, values in results.items():
        best = max(r for r, _ in values)
        print(
            f"  {name:40s} {best:6.0f} PDFs per CPU second  {best / baseline:4.2f} of baseline  largest {max(s for _, s in values) / 1024:5.1f} KB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
