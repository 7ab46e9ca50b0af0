"""The organizer's web console: server-rendered pages over the three services' public HTTP APIs."""
