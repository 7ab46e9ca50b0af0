"""The console's pages, one blueprint per area; each view reads the request, calls a client, renders."""

from services.console.views import agencies, auth, doors, ledger, meetings, messages, streaming

__all__ = ["agencies", "auth", "doors", "ledger", "meetings", "messages", "streaming"]
