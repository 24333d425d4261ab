"""`protocolo publish`: validate and publish an agency's event file."""

from __future__ import annotations

__all__ = ["publish"]

from pathlib import Path
from typing import Annotated

import typer

from producers.formatos import Formato
from protocolo.cli._base import app, barra_de_progresso, console, erros
from protocolo.errors import PublishError
from protocolo.model import NivelAcesso
from protocolo.settings import Settings


@app.command()
def publish(
    arquivo: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="Arquivo JSON Lines, CSV ou XML do Protocolo Integrado",
        ),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Só valida, não envia")] = False,
    formato: Annotated[
        Formato | None, typer.Option(help="Formato do arquivo; sem ele, vale a extensão")
    ] = None,
    orgao: Annotated[
        str | None, typer.Option(help="Órgão dos eventos (obrigatório no XML, que não o informa)")
    ] = None,
    nivel_acesso_padrao: Annotated[
        NivelAcesso | None, typer.Option(help="Nível de acesso dos eventos que não o informam")
    ] = None,
) -> None:
    """Valida e publica eventos de um arquivo: JSON Lines, CSV ou XML do Protocolo Integrado."""
    from producers.formatos import FormatoError, ler_arquivo
    from producers.publisher import Publisher

    try:
        registros = ler_arquivo(
            arquivo, formato=formato, orgao=orgao, nivel_acesso_padrao=nivel_acesso_padrao
        )
    except FormatoError as exc:
        erros.print(f"[red]erro:[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    settings = Settings()
    lidos = rejeitados = 0
    publisher = None if dry_run else Publisher(settings.kafka)
    with barra_de_progresso() as progresso:
        tarefa = progresso.add_task("validando" if dry_run else "publicando", total=None)
        for registro in registros:
            lidos += 1
            if registro.evento is None:
                rejeitados += 1
                # JSON Lines and CSV say `file:line:`; XML adds the Documento and item.
                onde = "" if registro.local == f"linha {registro.numero}" else f" {registro.local}:"
                for violacao in registro.violacoes:
                    erros.print(
                        f"{arquivo}:{registro.numero}:{onde} {violacao.campo}: {violacao.motivo}",
                        markup=False,
                        highlight=False,
                    )
            elif publisher is not None:
                publisher.publish(registro.evento)
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
