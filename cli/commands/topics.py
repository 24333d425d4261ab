"""`protocolo topics`: create the topics that are missing."""

from __future__ import annotations

__all__ = ["topics"]

from cli.commands._base import app, console
from protocolo.settings import Settings


@app.command()
def topics() -> None:
    """Cria os tópicos que faltam (produção: rode uma vez antes dos serviços)."""
    from protocolo.kafka import create_topics

    criados = create_topics(Settings().kafka)
    console.print(f"tópicos criados: {', '.join(criados) or 'nenhum (já existiam)'}")
