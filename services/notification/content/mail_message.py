"""The MIME email: text and HTML alternatives, the QR code inline, the .ics attached, and headers of an automated mail."""
from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from services.notification.content.rendering import QR_CID, RenderedEmail


def sender_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "rakor.local"


def build_email(
    rendered: RenderedEmail,
    *,
    sender: str,
    to_name: str,
    to_address: str,
    message_key: str,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
    qr_png: bytes | None = None,
    calendar_filename: str = "undangan.ics",
) -> EmailMessage:
    """A multipart email; its Message-ID comes from `message_key` so a resend after a lost reply is recognizable."""
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = sender
    username, _, domain = to_address.rpartition("@")
    try:
        message["To"] = Address(display_name=to_name, username=username, domain=domain)
    except (ValueError, IndexError):
        message["To"] = to_address
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = f"<{message_key}@{sender_domain(sender)}>"
    # RFC 3834: tells autoresponders (out-of-office replies) not to answer.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if qr_png:
        html_part = message.get_payload()[1]
        html_part.add_related(qr_png, maintype="image", subtype="png", cid=f"<{QR_CID}>", filename="kode-check-in.png")
    if calendar:
        message.add_attachment(
            calendar,
            maintype="text",
            subtype="calendar",
            filename=calendar_filename,
            params={"method": calendar_method or "REQUEST", "charset": "utf-8"},
        )
    return message
