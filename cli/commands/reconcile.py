"""`protocolo reconcile`: did the public see all of what an órgão published? Stage by stage, per day."""

from __future__ import annotations

__all__ = ["reconcile"]

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.commands._base import app, barra_de_progresso, console, erros

_LIMITE_TERMINAL = 200  # mismatches printed on the terminal; the CSV has them all


def _dia(valor: str | None, opcao: str) -> date | None:
    """A Brasília calendar day given as AAAA-MM-DD; a pt-BR error and exit 2 otherwise."""
    if valor is None:
        return None
    try:
        return date.fromisoformat(valor)
    except ValueError as exc:
        erros.print(f"[red]erro:[/] {opcao}: data inválida {valor!r} (use AAAA-MM-DD)", highlight=False)
        raise typer.Exit(2) from exc


@app.command()
def reconcile(
    orgao: Annotated[str | None, typer.Option(help="Só este órgão (código)")] = None,
    desde: Annotated[str | None, typer.Option(help="Primeiro dia (AAAA-MM-DD, horário de Brasília)")] = None,
    ate: Annotated[str | None, typer.Option(help="Último dia, inclusive (AAAA-MM-DD)")] = None,
    csv: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Grava as contagens neste CSV (e as divergências ao lado)"),
    ] = None,
    prazo: Annotated[
        float,
        typer.Option(
            min=0,
            help="Segundos de espera até streams, indexador e notificador alcançarem o corte (0: não espera)",
        ),
    ] = 120.0,
) -> None:
    """Confere, por órgão e dia, eventos recebidos, rejeições, movimentos, índice e e-mails.

    Sai com 1 quando há divergências, 0 quando tudo confere.
    """
    from cli.reconciliacao.conciliacao import Faixa
    from cli.reconciliacao.fontes import conciliar
    from cli.reconciliacao.saida import escrever_csv, tabela_divergencias, tabela_linhas
    from protocolo.errors import SourceUnreadable
    from protocolo.geracao_topico import geracao_ativa
    from protocolo.settings import Settings

    faixa = Faixa(orgao=orgao, desde=_dia(desde, "--desde"), ate=_dia(ate, "--ate"))
    if faixa.desde and faixa.ate and faixa.desde > faixa.ate:
        erros.print(f"[red]erro:[/] --desde {desde} é depois de --ate {ate}", highlight=False)
        raise typer.Exit(2)
    try:
        with barra_de_progresso() as progresso:
            # The DLQ and movimentos of the generation the services run (the raw topic is the same in all).
            relatorio = conciliar(geracao_ativa(Settings()), faixa, progresso, prazo_s=prazo)
    except SourceUnreadable as exc:
        erros.print(f"[red]erro:[/] {exc}", highlight=False)
        raise typer.Exit(1) from exc
    console.print(tabela_linhas(relatorio))
    console.print(
        f"processos públicos: {relatorio.processos_esperados} esperados, "
        f"{relatorio.processos_indexados} no índice; "
        f"e-mails fora da faixa ou de inscrição cancelada: {relatorio.emails_nao_atribuidos}"
    )
    if relatorio.alem_do_corte or relatorio.adiadas:
        console.print(
            f"publicados depois do corte (não contados): {relatorio.alem_do_corte} movimentos e documentos; "
            f"diferenças de processos que mudaram depois do corte (não listadas): {relatorio.adiadas}"
        )
    for atraso in relatorio.atrasos:
        erros.print(
            f"[yellow]aviso:[/] não alcançou o corte em {prazo:g} s: {atraso}; "
            "divergências do que ele ainda não consumiu podem ser trânsito",
            highlight=False,
        )
    divergencias = relatorio.divergencias
    if divergencias:
        console.print(tabela_divergencias(relatorio, _LIMITE_TERMINAL))
        if len(divergencias) > _LIMITE_TERMINAL:
            console.print(f"… e mais {len(divergencias) - _LIMITE_TERMINAL} (todas no --csv)")
    if csv is not None:
        caminho = escrever_csv(relatorio, csv)
        console.print(f"CSV: {csv} (divergências em {caminho})")
    console.print(f"divergências: {len(divergencias)}")
    if divergencias:
        raise typer.Exit(1)
