"""Pure rules of the notification service: which messages an event causes, how times and SMS text are written."""
