"""`protocolo reindex`: rebuild the search indices from the topics and swap the aliases, no downtime."""

from __future__ import annotations

__all__ = ["executar_reindexacao", "mostrar_resumo", "reindex"]

import time
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from cli.commands._base import app, console, erros
from protocolo.settings import Settings

if TYPE_CHECKING:
    from indexer.reindexacao import Resumo


def _n(valor: float) -> str:
    """A count the pt-BR way (1.234.567)."""
    return f"{valor:,.0f}".replace(",", ".")


class _Taxa(ProgressColumn):
    """Messages per second of one topic's task (rich's own speed column speaks bytes)."""

    def render(self, task: Task) -> Text:
        return Text(f"{_n(task.speed or 0)} docs/s")


def _barra() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[lidas]} mensagens"),
        _Taxa(),
        TimeElapsedColumn(),
        console=erros,
        transient=True,
        disable=not erros.is_interactive,
    )


def executar_reindexacao(settings: Settings) -> tuple[Resumo, dict[str, float]]:
    """One reindex with a progress line per topic; the summary and each topic's docs/s.

    A failure is a pt-BR error with exit status 1.
    """
    from elastic_transport import TransportError
    from elasticsearch import ApiError

    from indexer.reindexacao import Reindexacao
    from protocolo.errors import ReindexFailed

    topicos = (settings.kafka.topics.processos, settings.kafka.topics.movimentos)
    lidas = dict.fromkeys(topicos, 0)
    inicio: dict[str, float] = {}  # when reading each topic began: the previous write, of any topic
    fim: dict[str, float] = {}
    ultima = [time.monotonic()]
    with _barra() as barra:
        tarefas = {t: barra.add_task(t, total=None, lidas="0") for t in topicos}

        def progresso(topico: str, mensagens: int) -> None:
            inicio.setdefault(topico, ultima[0])
            fim[topico] = ultima[0] = time.monotonic()
            lidas[topico] += mensagens
            barra.update(tarefas[topico], advance=mensagens, lidas=_n(lidas[topico]))

        try:
            resumo = Reindexacao(settings, progresso=progresso).executar()
        except (ReindexFailed, ApiError, TransportError) as exc:
            erros.print(f"[red]erro:[/] a reindexação não terminou: {exc}", highlight=False)
            raise typer.Exit(1) from exc
    taxas = {t: lidas[t] / max(fim[t] - inicio[t], 1e-3) for t in inicio}
    return resumo, taxas


def mostrar_resumo(resumo: Resumo, taxas: dict[str, float]) -> None:
    """The end summary: what was read per topic, and documents in the topics against the new indices."""
    for alias, novo in sorted(resumo.novos.items()):
        antigos = ", ".join(resumo.antigos.get(alias, [])) or "nenhum"
        console.print(f"{alias}: {novo} (antes: {antigos})", highlight=False)
    leitura = Table("tópico", "mensagens", "docs/s")
    for topico, n in resumo.lidas.items():
        leitura.add_row(topico, _n(n), _n(taxas.get(topico, 0.0)))
    console.print(leitura)
    contagens = Table("índice", "documentos nos tópicos", "documentos no índice novo", "confere")
    for nome, esperados in resumo.esperados.items():
        no_indice = resumo.no_indice.get(nome, 0)
        # More than the topics made: documents the live indexer wrote after the last read.
        confere = "sim" if no_indice >= esperados else "[red]não[/]"
        contagens.add_row(nome, _n(esperados), _n(no_indice), confere)
    console.print(contagens)
    console.print(
        f"mensagens corrompidas: {resumo.corrompidas}, documentos recusados: {resumo.rejeitados}, "
        f"duração: {resumo.duracao_s:.1f} s",
        highlight=False,
    )


@app.command("reindex")
def reindex(
    remover_antigos: Annotated[
        bool,
        typer.Option(
            "--remover-antigos",
            help="Não reindexa: remove os índices antigos para os quais nenhum alias aponta",
        ),
    ] = False,
) -> None:
    """Reconstrói os índices de busca a partir dos tópicos e troca os aliases sem interromper a busca."""
    settings = Settings()
    if not remover_antigos:
        from protocolo.geracao_topico import geracao_ativa

        settings = geracao_ativa(settings)  # the topics of the generation the services run
    if remover_antigos:
        from indexer.reindexacao import remover_antigos as remover

        removidos = remover(settings)
        for indice in removidos:
            console.print(f"removido: {indice}", highlight=False)
        console.print(f"{len(removidos)} índices antigos removidos", highlight=False)
        return
    resumo, taxas = executar_reindexacao(settings)
    mostrar_resumo(resumo, taxas)
    if any(resumo.no_indice.get(nome, 0) < n for nome, n in resumo.esperados.items()):
        raise typer.Exit(1)
