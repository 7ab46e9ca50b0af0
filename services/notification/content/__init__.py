"""What a participant reads: rendered templates, the .ics invitation, the check-in QR code, the MIME email."""
