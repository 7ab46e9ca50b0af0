"""Pure rules more than one service applies to the same events (no Flask, SQLAlchemy or pika, like every domain/)."""
