"""`python -m protocolo.cli`."""

from protocolo.cli import app

app()
