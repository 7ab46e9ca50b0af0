"""The attendance list of 2,000 participants as PDF daftar hadir and XLSX, against writing the same rows as CSV.

    python -m bench.attendance_documents [--participants 2000] [--agencies 34] [--rounds 3]

Pure rendering (no database, no HTTP), wall time and CPU time, best of --rounds interleaved rounds.
Targets: PDF ≤ 3 s, XLSX ≤ 2 s. The baseline is the csv module writing the same rows in the same run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import time

from services.registration.documents.attendance_pdf import render_attendance_pdf
from services.registration.documents.attendance_sheet import AttendanceSheet, build_sheet
from services.registration.documents.attendance_xlsx import render_attendance_xlsx

UTC = dt.UTC
MEETING = {
    "title": "Rapat Koordinasi Pembinaan Jabatan Fungsional Pranata Humas",
    "timezone": "Asia/Jakarta",
    "starts_at": dt.datetime(2021, 12, 1, 2, tzinfo=UTC),
    "venue_name": "Hotel Aviary Bintaro",
    "venue_address": "Jl. Boulevard Bintaro Jaya Blok B7/A1",
    "venue_city": "Tangerang Selatan",
}
FIRST = ("Rina", "Ahmad", "Ni Luh Putu", "I Gusti Ngurah", "Siti", "Yohanes", "Cut Nyak", "Muhammad", "Dewi", "Teuku")
LAST = ("Wulandari", "Siregar", "Lestari", "Manurung", "Rahmawati", "Pangaribuan", "Kusumaningtyas", "Hidayat", "Sartika", "Oka")


def make_sheet(participants: int, agencies: int) -> AttendanceSheet:
    agency_rows = [
        {"agency_id": f"a{i}", "agency_name": f"Dinas Komunikasi dan Informatika Kabupaten {i + 1}", "attended": 0, "confirmed": 0}
        for i in range(agencies)
    ]
    people = []
    for n in range(participants):
        agency = agency_rows[n % agencies]
        online = n % 3 == 0
        attended = n % 5 != 0
        agency["confirmed"] += 1
        agency["attended"] += attended
        people.append(
            {
                "agency_id": agency["agency_id"],
                "agency_name": agency["agency_name"],
                "full_name": f"{FIRST[n % 10]} {LAST[(n // 10) % 10]} {n}",
                "nip": f"1985{n % 12 + 1:02d}{n % 28 + 1:02d}2010012{n % 1000:03d}",
                "position": "Pranata Humas Ahli Muda",
                "status": "confirmed",
                "attendance_mode": "online" if online else "in_person",
                "checked_in_at": dt.datetime(2021, 12, 1, 1, 50, tzinfo=UTC) if attended and not online else None,
                "first_join_at": dt.datetime(2021, 12, 1, 2, 3, tzinfo=UTC) if attended and online else None,
                "attended": attended,
            }
        )
    return build_sheet(MEETING, people, agency_rows, {"confirmed": participants, "attended": sum(a["attended"] for a in agency_rows)})


def render_csv(sheet: AttendanceSheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("No", "Nama", "NIP", "Jabatan", "Instansi", "Mode", "Waktu hadir"))
    for group in sheet.groups:
        for number, row in enumerate(group.rows, start=1):
            writer.writerow((number, row.full_name, row.nip, row.position, row.agency_name, row.mode, row.arrived))
    return buffer.getvalue().encode("utf-8")


def measure(render, sheet) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    size = len(render(sheet))
    return time.perf_counter() - wall, time.process_time() - cpu, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.attendance_documents", description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--agencies", type=int, default=34)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    sheet = make_sheet(args.participants, args.agencies)
    renderers = {"CSV (baseline)": render_csv, "XLSX": render_attendance_xlsx, "PDF daftar hadir": render_attendance_pdf}
    best: dict[str, tuple[float, float, int]] = {}
    for _ in range(args.rounds):
        for name, render in renderers.items():
            result = measure(render, sheet)
            best[name] = min(best.get(name, result), result)
    baseline = best["CSV (baseline)"][1]
    print(f"{args.participants} participants in {args.agencies} agencies, best of {args.rounds} rounds")
    print(f"{'document':18s} {'wall s':>7s} {'CPU s':>7s} {'KB':>7s}  CPU ÷ CSV")
    for name, (wall, cpu, size) in best.items():
        print(f"{name:18s} {wall:7.3f} {cpu:7.3f} {size / 1024:7.0f}  {cpu / baseline:8.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
