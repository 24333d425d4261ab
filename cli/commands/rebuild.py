"""`protocolo rebuild`: recompute the derived topics from the raw events, then reindex from them."""

from __future__ import annotations

__all__ = ["rebuild"]

from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.commands._base import app, console, erros
from cli.commands.reindex import executar_reindexacao, mostrar_resumo
from protocolo.settings import Settings

if TYPE_CHECKING:
    from cli.reconstrucao import Reconstrucao


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
def rebuild(
    sem_troca: Annotated[
        bool,
        typer.Option(
            "--sem-troca",
            help="Não troca a geração ativa: só mostra as configurações para reiniciar os serviços à mão",
        ),
    ] = False,
    prazo_troca: Annotated[
        float, typer.Option(help="Segundos de espera até cada serviço confirmar a nova geração")
    ] = 180.0,
) -> None:
    """Recalcula processos e movimentos dos eventos brutos numa nova geração de tópicos, reindexa e
    passa os serviços em execução à nova geração."""
    from confluent_kafka import KafkaException

    from cli.reconstrucao import Reconstrucao
    from protocolo.errors import ReindexFailed, StackError
    from protocolo.geracao_topico import geracao_ativa

    settings = geracao_ativa(Settings())
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
        reconstrucao.posicionar_grupos(resumo.fins)
    except KafkaException as exc:
        erros.print(
            f"[red]erro:[/] os grupos do indexador, do notificador e dos webhooks da nova geração não "
            f"foram posicionados no fim dos novos tópicos; a geração ativa não mudou: {exc}",
            highlight=False,
        )
        raise typer.Exit(1) from exc
    mostrar_resumo(resumo, taxas)
    comparacao = Table("índice", "antes (geração anterior)", "depois (nova geração)")
    for nome, n in antes.items():
        comparacao.add_row(nome, _n(n), _n(resumo.no_indice.get(nome, 0)))
    console.print(comparacao)
    if any(resumo.no_indice.get(nome, 0) < n for nome, n in resumo.esperados.items()):
        erros.print(
            "[red]erro:[/] o índice novo tem menos documentos que os tópicos; a geração ativa não mudou",
            highlight=False,
        )
        raise typer.Exit(1)
    if sem_troca:
        console.print("para passar os serviços à nova geração, reinicie-os com:", highlight=False)
        for chave, valor in reconstrucao.ambiente().items():
            console.print(f"  {chave}={valor}", highlight=False)
        return
    _trocar(reconstrucao, prazo_s=prazo_troca)


def _trocar(reconstrucao: Reconstrucao, *, prazo_s: float) -> None:
    """Activate the new generation, wait for the running services, and print how the switch went."""
    nova = reconstrucao.nova.streams.geracao
    esperados = reconstrucao.servicos_antes()
    reconstrucao.trocar()
    console.print(
        f"geração ativa: {nova} ({reconstrucao.nova.kafka.topics.geracao}); serviços em execução: "
        f"{', '.join(sorted(esperados)) or 'nenhum'}",
        highlight=False,
    )
    vistos: set[str] = set()

    def avanco(confirmados: set[str], pendentes: set[str]) -> None:
        for servico in sorted(confirmados - vistos):
            console.print(f"  {servico}: na geração {nova}", highlight=False)
        vistos.update(confirmados)

    with erros.status(f"esperando os serviços voltarem na geração {nova}…", spinner="dots"):
        troca = reconstrucao.esperar_servicos(esperados, prazo_s=prazo_s, avanco=avanco)
    situacao = Table("serviço", "geração", "situação")
    for servico in sorted(troca.esperados):
        ok = servico in troca.confirmados
        situacao.add_row(servico, str(nova) if ok else "anterior", "confirmou" if ok else "sem confirmação")
    console.print(situacao)
    for relato in troca.antigos:
        console.print(
            f"aviso: {relato.servico} ({relato.instancia}) ainda informa a geração {relato.geracao} "
            f"(desde {relato.em}); se a instância não existe mais, ignore",
            highlight=False,
        )
    console.print(f"troca de geração: {troca.duracao_s:.1f} s", highlight=False)
    if troca.pendentes:
        erros.print(
            f"[red]erro:[/] sem confirmação da geração {nova} em {prazo_s:.0f} s: "
            f"{', '.join(sorted(troca.pendentes))}; verifique se foram reiniciados "
            "(protocolo up e docker compose reiniciam sozinhos)",
            highlight=False,
        )
        raise typer.Exit(1)
