"""`protocolo publish`: validate and publish an agency's event file."""

from __future__ import annotations

__all__ = ["publish"]

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from protocolo.cli._base import app, console, erros
from protocolo.errors import PublishError
from protocolo.settings import Settings


@app.command()
def publish(
    arquivo: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Arquivo JSON Lines")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Só valida, não envia")] = False,
) -> None:
    """Valida e publica eventos de tramitação de um arquivo JSON Lines."""
    from producers.files import ler_jsonl
    from producers.publisher import Publisher

    settings = Settings()
    lidos = rejeitados = 0
    publisher = None if dry_run else Publisher(settings.kafka)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=erros,
        transient=True,
    ) as progresso:
        tarefa = progresso.add_task("validando" if dry_run else "publicando", total=None)
        for linha in ler_jsonl(arquivo):
            lidos += 1
            if linha.evento is None:
                rejeitados += 1
                for violacao in linha.violacoes:
                    erros.print(
                        f"{arquivo}:{linha.numero}: {violacao.campo}: {violacao.motivo}", markup=False
                    )
            elif publisher is not None:
                publisher.publish(linha.evento)
            progresso.advance(tarefa)
    nao_confirmados = 0
    if publisher is not None:
        try:
            publisher.flush()
        except PublishError as exc:
            erros.print(f"[red]erro:[/] {exc}")
            nao_confirmados = sum(1 for r in publisher.resultados if not r.ok)
    enviados = 0 if publisher is None else sum(1 for r in publisher.resultados if r.ok)
    verbo = "válidos" if dry_run else "enviados"
    quantidade = lidos - rejeitados if dry_run else enviados
    console.print(f"lidos: {lidos}, {verbo}: {quantidade}, rejeitados: {rejeitados}", highlight=False)
    if nao_confirmados:
        console.print(f"não confirmados pelo broker: {nao_confirmados}", highlight=False)
    raise typer.Exit(1 if rejeitados or nao_confirmados else 0)
