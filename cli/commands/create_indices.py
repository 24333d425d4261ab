"""`protocolo create-indices`: the index templates, versioned indices and aliases that are missing."""

from __future__ import annotations

__all__ = ["create_indices"]

import typer

from cli.commands._base import app, console, erros
from protocolo.settings import Settings


@app.command("create-indices")
def create_indices() -> None:
    """Instala os templates de índice e cria os índices e aliases que faltam (o indexador também o faz)."""
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from indexer.indices import garantir_indices
    from indexer.mappings import INDICES
    from protocolo.search import make_search

    settings = Settings()
    es = make_search(settings.search)
    try:
        garantir_indices(es, settings.search)
        # The index behind each alias: the one just created, or the one a reindex swapped in.
        atras = {nome: sorted(es.indices.get_alias(name=settings.search.alias(nome))) for nome in INDICES}
    except (ApiError, TransportError) as exc:
        erros.print(f"[red]erro:[/] o servidor de busca recusou ou não respondeu: {exc}", highlight=False)
        raise typer.Exit(1) from exc
    finally:
        es.close()
    for nome, indices in atras.items():
        alias = settings.search.alias(nome)
        console.print(f"índice pronto: {alias} -> {', '.join(indices)}", highlight=False)
