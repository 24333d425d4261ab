"""`protocolo replay`: a slice of a topic's history, decoded, as JSON Lines, CSV, Parquet or Avro.

Rows go to `--saida` (or stdout for jsonl/csv), or the original messages are re-published to
`--para-topico`. A message that cannot be decoded is one stderr line with its partition and
offset, and the replay goes on; the summary counts them. A bad range or an unknown topic: exit 2.
"""

from __future__ import annotations

__all__ = ["falhar", "ilegivel", "opcoes_de_filtro", "replay"]

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from cli.commands._base import app, barra_de_progresso, console, erros
from cli.replay.intervalo import LimiteInvalido, parse_limite, validar_intervalo
from cli.replay.linhas import Filtro, TopicoDesconhecido, resolver_topico
from protocolo.errors import InvalidNup
from protocolo.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from confluent_kafka import Message

    from cli.replay.leitura import Leitura
    from cli.replay.lotes import Item
    from cli.replay.percurso import Contagem
    from protocolo.produce import Cabecalhos

_ATUALIZAR_S = 0.25
# Messages per batch handed to a decoding worker: big enough to pay for the hand-over, small
# enough that the batches in flight stay a few MB.
_LOTE = 1_000


def falhar(mensagem: str) -> typer.Exit:
    """Print a pt-BR error and return the exit (status 2) for bad input, to raise."""
    erros.print(f"[red]erro:[/] {escape(mensagem)}", highlight=False)
    return typer.Exit(2)


def opcoes_de_filtro(orgao: str | None, nup: str | None, operacao: str | None) -> Filtro:
    """The filters of --orgao, --nup (any accepted NUP format) and --operacao; exit 2 on a bad NUP."""
    from protocolo.nup import parse_nup

    try:
        digitos = parse_nup(nup).digitos if nup else None
    except InvalidNup as exc:
        raise falhar(f"--nup {nup!r}: {exc}") from exc
    return Filtro(orgao=orgao.strip() if orgao else None, nup_digitos=digitos, operacao=operacao)


def ilegivel(particao: int, offset: int, motivo: str) -> None:
    """Report one message that cannot be decoded (stderr, one line)."""
    erros.print(
        f"mensagem ilegível na partição {particao}, offset {offset}: {motivo}", markup=False, highlight=False
    )


@app.command()
def replay(
    topico: Annotated[str, typer.Argument(help="eventos, dlq, movimentos, processos ou o nome de um tópico")],
    desde: Annotated[str, typer.Option(help="Offset, data e hora RFC 3339, 'inicio' ou 'fim'")] = "inicio",
    ate: Annotated[str, typer.Option(help="Primeiro offset ou instante fora do intervalo, ou 'fim'")] = "fim",
    orgao: Annotated[str | None, typer.Option(help="Só eventos deste órgão (código)")] = None,
    nup: Annotated[str | None, typer.Option(help="Só eventos deste NUP (qualquer formato aceito)")] = None,
    operacao: Annotated[str | None, typer.Option(help="Só eventos desta operação (ex.: ENVIO)")] = None,
    formato: Annotated[str, typer.Option(help="jsonl, csv, parquet ou avro")] = "jsonl",
    saida: Annotated[Path | None, typer.Option(help="Arquivo de saída (sem ele: a saída padrão)")] = None,
    para_topico: Annotated[
        str | None, typer.Option(help="Republica as mensagens originais (chave, cabeçalhos) neste tópico")
    ] = None,
    processos: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Processos que decodificam em paralelo (0: nenhum; padrão: núcleos menos um)",
        ),
    ] = None,
) -> None:
    """Lê um trecho da história de um tópico, decodifica cada mensagem com o esquema que a escreveu."""
    from cli.replay.leitura import Leitura, TopicoAusente, resolver_faixa
    from cli.replay.saidas import FORMATOS
    from protocolo.geracao_topico import geracao_ativa

    settings = Settings()
    try:
        resolver_topico(topico, settings.kafka.topics)  # a bad name fails before the broker is asked
        limites = parse_limite(desde, opcao="--desde"), parse_limite(ate, opcao="--ate")
        validar_intervalo(*limites)
    except (TopicoDesconhecido, LimiteInvalido) as exc:
        raise falhar(str(exc)) from exc
    settings = geracao_ativa(settings)  # `dlq`, `movimentos`, `processos`: the active generation's topics
    nome, registro = resolver_topico(topico, settings.kafka.topics)
    if formato not in FORMATOS:
        raise falhar(f"--formato {formato!r}: use um destes: {', '.join(FORMATOS)}")
    if saida is not None and para_topico is not None:
        raise falhar("use --saida ou --para-topico, não os dois")
    if para_topico is None and formato in ("parquet", "avro") and saida is None:
        raise falhar(f"--formato {formato} precisa de --saida ARQUIVO")
    filtro = opcoes_de_filtro(orgao, nup, operacao)
    try:
        faixas = resolver_faixa(settings.kafka, nome, *limites)
    except TopicoAusente as exc:
        raise falhar(str(exc)) from exc
    with Leitura(settings.kafka, nome, faixas) as leitura:
        if para_topico is not None:
            contagem = _republicar(settings, leitura, registro=registro, filtro=filtro, destino=para_topico)
        else:
            contagem = _escrever(
                leitura,
                registro=registro,
                filtro=filtro,
                formato=formato,
                saida=saida,
                processos=_processos_padrao() if processos is None else processos,
            )
    resumo = f"linhas: {contagem.linhas}, ilegíveis: {contagem.ilegiveis}"
    resumo += f", fora do filtro: {contagem.filtradas}" if not filtro.vazio else ""
    resumo += f", republicadas em {para_topico}" if para_topico else ""
    # Rows on stdout stay pure data: then the summary goes to stderr.
    (console if saida is not None or para_topico else erros).print(resumo, markup=False, highlight=False)


def _processos_padrao() -> int:
    """One decoding worker per core beyond the main process's (which reads and writes), at least one."""
    return max(1, min((os.cpu_count() or 1) - 1, 4))


class _Barra:
    """A progress bar over a Leitura: total from the high watermarks fetches carry, refreshed sparingly."""

    def __init__(self, leitura: Leitura, descricao: str) -> None:
        self._leitura = leitura
        self._progresso = barra_de_progresso(com_taxa=True)
        self._tarefa = self._progresso.add_task(descricao, total=None)
        self._proxima = 0.0

    def __enter__(self) -> _Barra:
        self._progresso.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progresso.__exit__(None, None, None)

    def tick(self) -> None:
        """Refresh the bar if it is time to."""
        agora = time.monotonic()
        if agora >= self._proxima:
            self._proxima = agora + _ATUALIZAR_S
            total = self._leitura.estimativa()
            self._progresso.update(
                self._tarefa, completed=self._leitura.lidas, total=max(total, self._leitura.lidas) or None
            )


def _mensagens(
    leitura: Leitura,
    *,
    descricao: str,
    registro: str,
    filtro: Filtro,
    contagem: Contagem,
    decodificar_sempre: bool = True,
) -> Iterator[tuple[Message, dict[str, Any] | None]]:
    """The pass over the slices (cli.replay.percurso) under a progress bar."""
    from cli.replay.percurso import percorrer
    from protocolo.avro import catalogo_padrao

    with _Barra(leitura, descricao) as barra:
        for mensagem, linha in percorrer(
            leitura,
            catalogo=catalogo_padrao(),
            registro=registro,
            filtro=filtro,
            contagem=contagem,
            ao_ilegivel=ilegivel,
            decodificar_sempre=decodificar_sempre,
        ):
            yield mensagem, linha
            barra.tick()


def _lotes(leitura: Leitura, barra: _Barra) -> Iterator[list[Item]]:
    """The slices' messages in batches of what a decoding worker needs, ticking the progress bar."""
    lote: list[Item] = []
    for mensagem in leitura:
        _tipo, carimbo = mensagem.timestamp()
        lote.append((mensagem.partition() or 0, mensagem.offset() or 0, carimbo, mensagem.value()))
        if len(lote) >= _LOTE:
            yield lote
            lote = []
            barra.tick()
    if lote:
        yield lote


def _escrever(
    leitura: Leitura, *, registro: str, filtro: Filtro, formato: str, saida: Path | None, processos: int
) -> Contagem:
    from cli.replay.paralelo import Decodificadores
    from cli.replay.percurso import Contagem
    from cli.replay.saidas import abrir_escritor
    from protocolo.avro import catalogo_padrao

    contagem = Contagem()
    escritor, abertos = abrir_escritor(
        formato,
        esquema=catalogo_padrao().esquema(registro),
        caminho=saida,
        padrao=sys.stdout.buffer,
        padrao_texto=sys.stdout,
    )
    decodificadores = Decodificadores(
        processos, registro=registro, formato=formato, topico=leitura.topico, filtro=filtro
    )
    try:
        with decodificadores, _Barra(leitura, f"replay {leitura.topico}") as barra:
            for resultado in decodificadores.processar(_lotes(leitura, barra)):
                for particao, offset, motivo in resultado.ilegiveis:
                    ilegivel(particao, offset, motivo)
                contagem.linhas += resultado.linhas
                contagem.filtradas += resultado.filtradas
                contagem.ilegiveis += len(resultado.ilegiveis)
                escritor.escrever_lote(resultado.carga)
            barra.tick()
        escritor.fechar()
    finally:
        for arquivo in abertos:
            arquivo.close()
    return contagem


def _republicar(
    settings: Settings, leitura: Leitura, *, registro: str, filtro: Filtro, destino: str
) -> Contagem:
    """Produce each selected message again, bytes, key and headers as they were, to `destino`."""
    from cli.replay.percurso import Contagem
    from protocolo.errors import PublishError
    from protocolo.kafka import make_producer
    from protocolo.produce import produce_and_wait

    contagem = Contagem()
    producer = make_producer(settings.kafka)
    lote: list[tuple[bytes | None, bytes | None]] = []
    cabecalhos: list[Cabecalhos | None] = []

    def enviar() -> None:
        try:
            produce_and_wait(producer, destino, lote, timeout_s=60, headers=cabecalhos, what="mensagens")
        except PublishError as exc:
            erros.print(f"[red]erro:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(1) from exc
        lote.clear()
        cabecalhos.clear()

    for mensagem, _linha in _mensagens(
        leitura,
        descricao=f"republicando {leitura.topico} em {destino}",
        registro=registro,
        filtro=filtro,
        contagem=contagem,
        decodificar_sempre=False,
    ):
        lote.append((mensagem.key(), mensagem.value()))
        originais = mensagem.headers()
        cabecalhos.append(list(originais.items()) if isinstance(originais, dict) else originais)
        if len(lote) >= 10_000:
            enviar()
    enviar()
    return contagem
