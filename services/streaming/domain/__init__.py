"""Pure rules of the streaming service: channel addresses, who may watch, where a link leads."""
