"""certificate.issued: the participant gets one email, in their language, with the certificate PDF attached."""

from __future__ import annotations

import pytest

from tests.factories.notification import make_certificate_issued, make_participant
from tests.pdf_reading import pdf_text, qr_codes_on_page


def _attachments(message):
    return [part for part in message.walk() if part.get_content_disposition() == "attachment"]


@pytest.mark.parametrize(
    "locale, filename, subject", [("id", "sertifikat-004.pdf", "Sertifikat "), ("en", "certificate-004.pdf", "Certificate: ")]
)
def test_the_certificate_arrives_as_a_pdf_attachment_in_the_participants_language(
    harness, smtp_server, sms_gateway, locale, filename, subject
):
    issued = make_certificate_issued(participant=make_participant(locale=locale, nip="198507122010012003"))
    assert harness.deliver("certificate.issued", issued).action == "ack"
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [issued["participant"]["email"]]
    assert mail.message["Subject"].startswith(subject) and "004/SERT/DJIKP/2021" in mail.message["Subject"]
    [attachment] = _attachments(mail.message)
    assert attachment.get_content_type() == "application/pdf" and attachment.get_filename() == filename
    document = attachment.get_payload(decode=True)
    text = " ".join(pdf_text(document)[0].split())
    person = issued["participant"]
    for expected in (person["full_name"], person["nip"], "004/SERT/DJIKP/2021", issued["agency_name"], issued["meeting_title"]):
        assert expected in text
    assert qr_codes_on_page(document) == [issued["verify_url"]]
    # By email only: no SMS for a certificate, even to a participant with a mobile number.
    assert person["phone"] and sms_gateway.messages == []
    [row] = harness.notifications(registration_id=issued["registration_id"])
    assert (row.kind, row.channel, row.status) == ("certificate", "email", "sent")
