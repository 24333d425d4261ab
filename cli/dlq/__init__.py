"""`protocolo dlq`: read the dead-letter topics and redrive rejected raw events."""
