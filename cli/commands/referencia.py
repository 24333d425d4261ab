"""`protocolo referencia`: órgãos and unidades on the compacted reference topic."""

from __future__ import annotations

__all__ = ["referencia_app"]

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.commands._base import app, console, erros
from protocolo.errors import PublishError
from protocolo.settings import Settings

referencia_app = typer.Typer(help="Dados de referência: órgãos e unidades.", no_args_is_help=True)
app.add_typer(referencia_app, name="referencia")


@referencia_app.command("load")
def referencia_load(
    arquivo: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="Arquivo JSON de órgãos e unidades"),
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Só valida, não envia")] = False,
) -> None:
    """Valida um arquivo de órgãos e unidades e o publica no tópico de referência."""
    from protocolo.referencia import carregar_referencia
    from protocolo.referencia_topico import publicar_referencia

    try:
        referencia = carregar_referencia(arquivo)
    except ValueError as exc:
        erros.print(f"[red]erro:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    orgaos = referencia.orgaos
    unidades = sum(len(o.unidades) for o in orgaos)
    if dry_run:
        console.print(f"válido: {len(orgaos)} órgãos, {unidades} unidades", highlight=False)
        return
    settings = Settings()
    try:
        enviados = publicar_referencia(settings.kafka, orgaos)
    except PublishError as exc:
        erros.print(f"[red]erro:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    console.print(
        f"publicados: {enviados} órgãos, {unidades} unidades em {settings.kafka.topics.referencia}",
        highlight=False,
    )


@referencia_app.command("list")
def referencia_list() -> None:
    """Mostra os órgãos que os streams conhecem agora (o tópico de referência lido até o fim)."""
    from confluent_kafka import KafkaException

    from protocolo.referencia_topico import ler_referencia

    settings = Settings()
    try:
        referencia = ler_referencia(settings.kafka)
    except (TimeoutError, KafkaException) as exc:
        erros.print(f"[red]erro:[/] não foi possível ler {settings.kafka.topics.referencia}: {exc}")
        raise typer.Exit(1) from exc
    tabela = Table("código", "sigla", "nome", "unidades")
    for orgao in sorted(referencia.orgaos, key=lambda o: o.codigo):
        tabela.add_row(orgao.codigo, orgao.sigla, orgao.nome, str(len(orgao.unidades)))
    console.print(tabela)
    console.print(f"{len(referencia.orgaos)} órgãos", highlight=False)


@referencia_app.command("remove")
def referencia_remove(
    codigo: Annotated[str, typer.Argument(help="Código do órgão a remover")],
) -> None:
    """Remove um órgão dos dados de referência (eventos já publicados não mudam)."""
    from protocolo.referencia_topico import remover_orgao

    settings = Settings()
    try:
        remover_orgao(settings.kafka, codigo)
    except PublishError as exc:
        erros.print(f"[red]erro:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    console.print(f"removido: {codigo}", highlight=False)
