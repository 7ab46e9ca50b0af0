"""The console: web pages for organizers and door staff over the services' public APIs."""
