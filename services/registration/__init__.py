"""Registration service: meetings, agencies, registrations, in-person seats, waitlist, check-in and attendance."""
