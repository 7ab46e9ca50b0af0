"""Pure rules of registration: seats, waitlist, check-in codes, meeting validation and domain errors."""
