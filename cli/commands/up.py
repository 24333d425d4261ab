"""`protocolo up`: the local stack, optionally fed with simulated traffic."""

from __future__ import annotations

__all__ = ["up"]

import os
import signal
import threading
from typing import Annotated

import typer

from cli.ambiente import escrever_ambiente, remover_ambiente
from cli.commands._base import app, console, erros
from protocolo.errors import ProtocoloError, StackError
from protocolo.logs import configure_logging
from protocolo.settings import Settings


@app.command()
def up(
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Alimenta o sistema com eventos simulados")
    ] = False,
    taxa: Annotated[float, typer.Option(help="Eventos simulados por segundo, após a carga inicial")] = 2.0,
    carga_inicial: Annotated[int, typer.Option(help="Eventos simulados publicados de início")] = 3000,
) -> None:
    """Sobe o ambiente local: broker, busca, SMTP, todos os serviços e o portal."""
    from cli.stack import LocalStack

    configure_logging("WARNING")
    settings = Settings()
    # The stack runs the local OpenSearch-compatible server, which needs plain JSON.
    settings.search.server_mode = "serverless"
    # ... and the local broker under-reports a changelog's end (see StreamsSettings).
    settings.streams.recovery_consistency_check = False
    # ... and keeps stop words in the folded sub-field: the alert matcher copies what it does.
    settings.alertas.analise = "local"
    # Prometheus' customary exporter port and the next ones, unless the environment chose others.
    for secao, porta in (
        (settings.streams, 9464),
        (settings.api, 9465),
        (settings.indexer, 9466),
        (settings.notifier, 9467),
        (settings.arquivo, 9468),
        (settings.webhooks, 9469),
        (settings.alertas, 9470),
    ):
        secao.metrics_port = secao.metrics_port or porta
    stack = LocalStack(settings, avisar=lambda m: console.print(f"[dim]•[/] {m}"))
    parar = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: parar.set())
    signal.signal(signal.SIGINT, lambda *_: parar.set())
    try:
        stack.iniciar()
    except StackError as exc:
        erros.print(f"[red]erro:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"\n[bold green]Portal:[/] http://{settings.api.host}:{settings.api.port}/")
    console.print(f"[bold]API:[/] http://{settings.api.host}:{settings.api.port}/docs")
    metricas = {
        "streams": settings.streams.metrics_port,
        "api": settings.api.metrics_port,
        "indexer": settings.indexer.metrics_port,
        "notifier": settings.notifier.metrics_port,
        "archiver": settings.arquivo.metrics_port,
        "webhooks": settings.webhooks.metrics_port,
        "alertas": settings.alertas.metrics_port,
    }
    console.print(
        "[bold]Métricas:[/] "
        + ", ".join(f"{nome} http://127.0.0.1:{porta}/metrics" for nome, porta in metricas.items())
    )
    console.print(f"[bold]E-mails recebidos:[/] {stack.pasta_emails.resolve()}")
    console.print(f"[bold]Arquivo de auditoria:[/] {settings.pasta_arquivo().resolve()}")
    ambiente = escrever_ambiente(settings.state_dir, settings.to_env(), pid=os.getpid())
    console.print(f"[bold]Comandos em outro terminal, nesta pasta:[/] usam {ambiente} enquanto isto roda")
    console.print("Ctrl-C para parar.\n")
    if simulate:
        threading.Thread(
            target=_simular, args=(settings, parar, taxa, carga_inicial), name="simulacao", daemon=True
        ).start()
    status = 0
    while not parar.wait(1.0):
        try:
            morto = stack.supervisionar()
        except StackError as exc:
            erros.print(f"[red]erro:[/] {exc}")
            status = 1
            break
        if morto is not None:
            erros.print(
                f"[red]erro:[/] {morto.nome} parou (status {morto.popen.returncode}); veja {morto.log}"
            )
            status = 1
            break
    parar.set()
    console.print("parando…")
    remover_ambiente(settings.state_dir)
    stack.parar()
    raise typer.Exit(status)


def _simular(settings: Settings, parar: threading.Event, taxa: float, carga_inicial: int) -> None:
    """Simulated traffic: a first load at once, then `taxa` events a second until it stops."""
    from cli.simulation.sender import Contagem, enviar_simulacao
    from cli.simulation.simulator import SimulationConfig, Simulator
    from protocolo.referencia import carregar_referencia

    def _avisar(contagem: Contagem) -> None:
        if contagem.total == carga_inicial:
            console.print(
                f"[dim]•[/] simulação: carga inicial de {contagem.total} eventos enviada "
                f"({contagem.invalidos} inválidos de propósito, para a fila de rejeitados); "
                f"seguindo com {taxa:g} eventos/s"
            )

    simulador = Simulator(SimulationConfig(seed=42), carregar_referencia())
    try:
        enviar_simulacao(
            settings,
            simulador.eventos(),
            parar=parar,
            taxa=taxa,
            carga_inicial=carga_inicial,
            ao_avancar=_avisar,
        )
    except ProtocoloError as exc:
        erros.print(f"[red]simulação interrompida:[/] {exc}")
