"""`protocolo create-topics`: create the topics that are missing."""

from __future__ import annotations

__all__ = ["create_topics"]

from cli.commands._base import app, console
from protocolo.settings import Settings


@app.command("create-topics")
def create_topics() -> None:
    """Cria os tópicos que faltam (produção: rode uma vez antes dos serviços)."""
    from protocolo.kafka import create_topics as criar_topicos

    criados = criar_topicos(Settings().kafka)
    console.print(f"tópicos criados: {', '.join(criados) or 'nenhum (já existiam)'}")
