"""Files made from the registration data (the attendance list as PDF and XLSX): pure, data in, bytes out."""
