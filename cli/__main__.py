"""`python -m cli`: the `protocolo` command."""

from cli.commands import app

app()
