"""The report of `protocolo reconcile`: a rich table for people and CSV files for spreadsheets."""

from __future__ import annotations

__all__ = ["CODIGOS", "escrever_csv", "tabela_divergencias", "tabela_linhas"]

import csv
from pathlib import Path

from rich.table import Table

from cli.reconciliacao.conciliacao import DESCRICOES, Linha, Relatorio

# The raw DLQ's codes (docs/topicos.md), each a CSV column even when zero, so columns never shift.
CODIGOS = (
    "EVENTO_INVALIDO",
    "ESQUEMA_DESCONHECIDO",
    "MENSAGEM_CORROMPIDA",
    "CONFLITO",
    "REGISTRO_GRANDE_DEMAIS",
)


def _rejeicoes(linha: Linha) -> str:
    return ", ".join(f"{n} {codigo}" for codigo, n in sorted(linha.rejeicoes.items())) or "0"


def tabela_linhas(relatorio: Relatorio) -> Table:
    """One row per órgão and day, stage by stage, and a total."""
    tabela = Table(title="Reconciliação por órgão e dia (dia de ocorrido_em, horário de Brasília)")
    for coluna in ("Órgão", "Dia", "Recebidos", "Duplicados", "Rejeitados", "Esperados", "Emitidos"):
        tabela.add_column(coluna, justify="left" if coluna in {"Órgão", "Dia", "Rejeitados"} else "right")
    tabela.add_column("No índice", justify="right")
    tabela.add_column("E-mails", justify="right")
    for linha in relatorio.linhas:
        tabela.add_row(
            linha.orgao,
            linha.dia.strftime("%d/%m/%Y"),
            str(linha.recebidos),
            str(linha.duplicados),
            _rejeicoes(linha),
            str(linha.esperados),
            str(linha.emitidos),
            str(linha.indexados),
            str(linha.emails),
        )
    soma = sum
    linhas = relatorio.linhas
    tabela.add_section()
    tabela.add_row(
        "total",
        "",
        str(soma(lin.recebidos for lin in linhas)),
        str(soma(lin.duplicados for lin in linhas)),
        str(soma(sum(lin.rejeicoes.values()) for lin in linhas)),
        str(soma(lin.esperados for lin in linhas)),
        str(soma(lin.emitidos for lin in linhas)),
        str(soma(lin.indexados for lin in linhas)),
        str(soma(lin.emails for lin in linhas)),
    )
    return tabela


def tabela_divergencias(relatorio: Relatorio, limite: int) -> Table:
    """The first `limite` mismatches, each with its NUP."""
    tabela = Table(title="Divergências")
    for coluna in ("Tipo", "NUP", "Movimento", "Órgão", "Dia", "O que é"):
        tabela.add_column(coluna)
    for d in relatorio.divergencias[:limite]:
        tabela.add_row(d.tipo, d.nup, d.movimento, d.orgao, d.dia.strftime("%d/%m/%Y"), DESCRICOES[d.tipo])
    return tabela


def _caminho_divergencias(arquivo: Path) -> Path:
    return arquivo.with_name(f"{arquivo.stem}.divergencias.csv")


def escrever_csv(relatorio: Relatorio, arquivo: Path) -> Path:
    """The counts in `arquivo` and the mismatches beside it (`<nome>.divergencias.csv`); returns that path."""
    extras = sorted({c for lin in relatorio.linhas for c in lin.rejeicoes} - set(CODIGOS))
    codigos = [*CODIGOS, *extras]
    with arquivo.open("w", newline="", encoding="utf-8") as saida:
        escritor = csv.writer(saida)
        escritor.writerow(
            [
                "orgao",
                "dia",
                "recebidos",
                "duplicados",
                "rejeitados",
                *(f"rejeitados_{c}" for c in codigos),
                "movimentos_esperados",
                "movimentos_emitidos",
                "indexados",
                "emails",
            ]
        )
        for lin in relatorio.linhas:
            escritor.writerow(
                [
                    lin.orgao,
                    lin.dia.isoformat(),
                    lin.recebidos,
                    lin.duplicados,
                    sum(lin.rejeicoes.values()),
                    *(lin.rejeicoes.get(c, 0) for c in codigos),
                    lin.esperados,
                    lin.emitidos,
                    lin.indexados,
                    lin.emails,
                ]
            )
    caminho = _caminho_divergencias(arquivo)
    with caminho.open("w", newline="", encoding="utf-8") as saida:
        escritor = csv.writer(saida)
        escritor.writerow(["tipo", "descricao", "orgao", "dia", "nup", "movimento"])
        for d in relatorio.divergencias:
            escritor.writerow([d.tipo, DESCRICOES[d.tipo], d.orgao, d.dia.isoformat(), d.nup, d.movimento])
    return caminho
