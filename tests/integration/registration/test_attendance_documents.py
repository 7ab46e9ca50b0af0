"""GET /v1/events/{id}/attendance?format=pdf|xlsx: the daftar hadir and the workbook, each agency seeing its own people only."""

import io

import openpyxl

from tests.pdf_reading import pdf_text


def summary_rows(book) -> list[tuple]:
    """The rows of the summary table, below the heading lines (organizer, meeting, how online attendance was judged)."""
    rows = list(book["Ringkasan"].iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if row[0] == "Instansi")
    return rows[top + 1 :]


def _check_in(api, event_id, registration_id):
    assert (
        api.client.post(f"/v1/events/{event_id}/check-ins", json={"registration_id": registration_id}, headers=api.admin).status_code == 200
    )


def _people(api, agency, other_agency, event):
    mine = [api.register(agency, event["id"]) for _ in range(3)]
    theirs = [api.register(other_agency, event["id"], attendance_mode="online") for _ in range(2)]
    _check_in(api, event["id"], mine[0]["id"])
    return mine, theirs


def test_the_organizer_gets_the_daftar_hadir_of_every_agency(api, agency, other_agency, event):
    mine, theirs = _people(api, agency, other_agency, event)
    response = api.client.get(f"/v1/events/{event['id']}/attendance?format=pdf", headers=api.admin)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="daftar-hadir-{event["id"]}.pdf"'
    pages = pdf_text(response.data)
    text = "\n".join(pages)
    for person in mine + theirs:
        assert text.count(person["participant"]["nip"]) == 1
    assert len(pages) == 2 and "Halaman 2 dari 2" in pages[1]  # one page per agency


def test_an_agency_gets_only_its_own_people_in_the_pdf_and_the_workbook(api, agency, other_agency, event):
    mine, theirs = _people(api, agency, other_agency, event)
    pdf = api.client.get(f"/v1/events/{event['id']}/attendance?format=pdf", headers=agency["headers"])
    text = "\n".join(pdf_text(pdf.data))
    assert all(p["participant"]["nip"] in text for p in mine)
    assert not any(p["participant"]["nip"] in text for p in theirs) and other_agency["name"] not in text

    xlsx = api.client.get(f"/v1/events/{event['id']}/attendance?format=xlsx", headers=agency["headers"])
    assert xlsx.status_code == 200 and xlsx.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == ["Ringkasan", agency["name"][:31]]
    rows = summary_rows(book)
    assert rows[0][0] == agency["name"] and rows[0][2] == 3 and rows[0][-1] == 1  # confirmed 3, attended 1


def test_the_organizers_workbook_sums_each_agency(api, agency, other_agency, event):
    _people(api, agency, other_agency, event)
    book = openpyxl.load_workbook(io.BytesIO(api.client.get(f"/v1/events/{event['id']}/attendance?format=xlsx", headers=api.admin).data))
    summary = {row[0]: row for row in summary_rows(book)}
    assert summary[agency["name"]][1] == 3 and summary[other_agency["name"]][1] == 2 and summary["Jumlah"][1] == 5
