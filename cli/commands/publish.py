"""`protocolo publish`: validate and publish an agency's event file.

Every problem is one stderr line naming where it is, `file:line: field: reason` (XML adds the Documento
and item), rejected records as they are read and events the broker did not acknowledge after the last
one was sent (the first MOSTRAR, then how many more). stdout gets one summary line; the exit status is 1
when anything was rejected or not acknowledged, 2 when the file cannot be read at all.
"""

from __future__ import annotations

__all__ = ["publish"]

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli.commands._base import app, barra_de_progresso, console, erros
from producers.formatos import Formato
from protocolo.errors import PublishError
from protocolo.model import NivelAcesso
from protocolo.settings import Settings

if TYPE_CHECKING:
    from producers.formatos import EventoLido
    from producers.publisher import Publisher

MOSTRAR = 20  # events not acknowledged named one by one; the rest are counted


def _origem(arquivo: Path, lido: EventoLido) -> str:
    """`file:line` (JSON Lines, CSV) or `file:line: Documento …, ItemHistorico …, linha …` (XML)."""
    if lido.local == f"linha {lido.numero}":
        return f"{arquivo}:{lido.numero}"
    return f"{arquivo}:{lido.numero}: {lido.local}"


def _linha(texto: str) -> None:
    erros.print(texto, markup=False, highlight=False)


def _relatar_nao_confirmados(publisher: Publisher) -> None:
    for resultado in publisher.falhas[:MOSTRAR]:
        _linha(f"{resultado.nome}: não confirmado pelo broker: {resultado.erro}")
    if publisher.nao_confirmados > MOSTRAR:
        _linha(f"e mais {publisher.nao_confirmados - MOSTRAR} eventos não confirmados pelo broker")
    if publisher.ultimo_erro_de_conexao:
        _linha(f"último erro de conexão com o broker: {publisher.ultimo_erro_de_conexao}")


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
    prazo: Annotated[
        float,
        typer.Option(min=0.1, help="Segundos que o broker tem para confirmar cada evento (com retentativas)"),
    ] = 30.0,
) -> None:
    """Valida e publica eventos de um arquivo: JSON Lines, CSV ou XML do Protocolo Integrado."""
    from producers.formatos import ContadorDeBytes, FormatoError, ler_arquivo
    from producers.publisher import LOGGER_LIBRDKAFKA, Publisher

    contador = ContadorDeBytes()
    try:
        eventos_lidos = ler_arquivo(
            arquivo, formato=formato, orgao=orgao, nivel_acesso_padrao=nivel_acesso_padrao, abrir=contador
        )
    except FormatoError as exc:
        erros.print(f"[red]erro:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(2) from exc
    # librdkafka repeats each connection failure; the last one is reported once, below.
    logging.getLogger(LOGGER_LIBRDKAFKA).setLevel(logging.CRITICAL)
    lidos = rejeitados = 0
    parado = False  # the producer failed for good: nothing more can be sent
    publisher = None if dry_run else Publisher(Settings().kafka, timeout_s=prazo)
    with barra_de_progresso(em_bytes=True) as progresso:
        descricao = "validando" if dry_run else "publicando"
        tarefa = progresso.add_task(descricao, total=arquivo.stat().st_size, eventos=0)
        for lido in eventos_lidos:
            lidos += 1
            origem = _origem(arquivo, lido)
            if lido.evento is None:
                rejeitados += 1
                for violacao in lido.violacoes:
                    _linha(f"{origem}: {violacao.campo}: {violacao.motivo}")
            elif publisher is not None:
                try:
                    publisher.publish(lido.evento, origem=origem)
                except PublishError as exc:
                    erros.print(f"[red]erro:[/] {escape(str(exc))}", highlight=False)
                    parado = True
                    break
            progresso.update(tarefa, completed=contador.lidos, eventos=lidos)
        if publisher is not None:
            progresso.update(tarefa, description="aguardando o broker")
            try:
                publisher.flush()
            except PublishError:
                pass  # each event is named below
    if dry_run:
        resumo = f"lidos: {lidos}, válidos: {lidos - rejeitados}, rejeitados: {rejeitados}"
    else:
        assert publisher is not None
        _relatar_nao_confirmados(publisher)
        resumo = f"lidos: {lidos}, enviados: {publisher.confirmados}, rejeitados: {rejeitados}"
        resumo += f", não confirmados: {publisher.nao_confirmados}" if publisher.nao_confirmados else ""
    console.print(resumo, markup=False, highlight=False)
    falhou = parado or rejeitados > 0 or (publisher is not None and publisher.nao_confirmados > 0)
    raise typer.Exit(1 if falhou else 0)
