"""`protocolo rebuild`: recompute the derived topics from the raw events, then reindex from them."""

from __future__ import annotations

__all__ = ["rebuild"]

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.commands._base import app, console, erros
from cli.commands.reindex import executar_reindexacao, mostrar_resumo
from protocolo.settings import Settings


def _n(valor: int) -> str:
    return f"{valor:,d}".replace(",", ".")


def _no_indice(settings: Settings) -> dict[str, int]:
    """Documents behind each read alias now (0 when it does not exist)."""
    from protocolo.search import make_search

    es = make_search(settings.search).options(ignore_status=404)
    return {
        nome: int(es.count(index=settings.search.alias(nome)).body.get("count", 0))
        for nome in ("processos", "movimentos")
    }


@app.command("rebuild")
def rebuild() -> None:
    """Recalcula processos e movimentos dos eventos brutos numa nova geração de tópicos e reindexa."""
    from confluent_kafka import KafkaException

    from cli.reconstrucao import Reconstrucao
    from protocolo.errors import ReindexFailed, StackError

    settings = Settings()
    antes = _no_indice(settings)
    barra = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=erros,
        transient=True,
        disable=not erros.is_interactive,
    )
    with barra:
        tarefa = barra.add_task("streams (nova geração)", total=None)
        reconstrucao = Reconstrucao(
            settings, avanco=lambda feitos, total: barra.update(tarefa, completed=feitos, total=total)
        )
        nova = reconstrucao.nova
        console.print(
            f"geração {nova.streams.geracao}: {nova.kafka.topics.processos}, {nova.kafka.topics.movimentos}",
            highlight=False,
        )
        try:
            reconstrucao.recalcular()
        except (ReindexFailed, StackError) as exc:
            erros.print(
                f"[red]erro:[/] a reconstrução não terminou, os aliases não mudaram: {exc}", highlight=False
            )
            raise typer.Exit(1) from exc
    console.print(f"eventos brutos recalculados: {_n(reconstrucao.eventos)}", highlight=False)
    resumo, taxas = executar_reindexacao(nova)
    try:
        reconstrucao.posicionar_notificador(resumo.fins.get(nova.kafka.topics.movimentos, {}))
    except KafkaException as exc:
        erros.print(
            f"[red]erro:[/] o grupo do notificador da nova geração não foi posicionado no fim dos "
            f"movimentos; não troque o notificador de geração antes de resolver: {exc}",
            highlight=False,
        )
        raise typer.Exit(1) from exc
    mostrar_resumo(resumo, taxas)
    comparacao = Table("índice", "antes (geração anterior)", "depois (nova geração)")
    for nome, n in antes.items():
        comparacao.add_row(nome, _n(n), _n(resumo.no_indice.get(nome, 0)))
    console.print(comparacao)
    console.print("para passar os serviços à nova geração, reinicie-os com:", highlight=False)
    for chave, valor in reconstrucao.ambiente().items():
        console.print(f"  {chave}={valor}", highlight=False)
    if any(resumo.no_indice.get(nome, 0) < n for nome, n in resumo.esperados.items()):
        raise typer.Exit(1)
