"""The `protocolo` command line (typer). Messages for people are in pt-BR."""

from __future__ import annotations

__all__ = ["app"]

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from protocolo.errors import InvalidNup, PublishError, StackError
from protocolo.logs import configure_logging
from protocolo.nup import parse_nup
from protocolo.settings import Settings

app = typer.Typer(help="Protocolo: tramitação de processos, do órgão ao cidadão.", no_args_is_help=True)
nup_app = typer.Typer(help="Números Únicos de Protocolo (NUP).", no_args_is_help=True)
app.add_typer(nup_app, name="nup")

console = Console()
erros = Console(stderr=True)


@nup_app.command("check")
def nup_check(
    nups: Annotated[list[str], typer.Argument(help="Um ou mais NUPs, em qualquer formato")],
) -> None:
    """Valida e normaliza NUPs; sai com status 0 só se todos forem válidos."""
    invalidos = 0
    for texto in nups:
        try:
            nup = parse_nup(texto)
        except InvalidNup as exc:
            invalidos += 1
            console.print(f"[red]✗[/] {texto}: {exc}")
            continue
        nota = "" if nup.verificado else " [yellow](não verificável)[/]"
        console.print(f"[green]✓[/] {nup.formatado}  [dim]{nup.formato.descricao}[/]{nota}")
    raise typer.Exit(1 if invalidos else 0)


@app.command()
def publish(
    arquivo: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Arquivo JSON Lines")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Só valida, não envia")] = False,
) -> None:
    """Valida e publica eventos de tramitação de um arquivo JSON Lines."""
    from producers.files import ler_jsonl
    from producers.publisher import Publisher

    settings = Settings()
    lidos = rejeitados = 0
    publisher = None if dry_run else Publisher(settings.kafka)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=erros,
        transient=True,
    ) as progresso:
        tarefa = progresso.add_task("validando" if dry_run else "publicando", total=None)
        for linha in ler_jsonl(arquivo):
            lidos += 1
            if linha.evento is None:
                rejeitados += 1
                for violacao in linha.violacoes:
                    erros.print(
                        f"{arquivo}:{linha.numero}: {violacao.campo}: {violacao.motivo}", markup=False
                    )
            elif publisher is not None:
                publisher.publish(linha.evento)
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


@app.command()
def topics() -> None:
    """Cria os tópicos que faltam (produção: rode uma vez antes dos serviços)."""
    from protocolo.kafka import create_topics

    criados = create_topics(Settings().kafka)
    console.print(f"tópicos criados: {', '.join(criados) or 'nenhum (já existiam)'}")


@app.command()
def up(
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Alimenta o sistema com eventos simulados")
    ] = False,
    taxa: Annotated[float, typer.Option(help="Eventos simulados por segundo, após a carga inicial")] = 2.0,
    carga_inicial: Annotated[int, typer.Option(help="Eventos simulados publicados de início")] = 3000,
) -> None:
    """Sobe o ambiente local: broker, busca, SMTP, streams, indexador, notificador e portal."""
    from protocolo.stack import LocalStack

    configure_logging("WARNING")
    settings = Settings()
    # The stack runs the local OpenSearch-compatible server, which needs plain JSON (shared/LOCAL_STACK.md).
    settings.search.server_mode = "serverless"
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
    console.print(f"[bold]E-mails recebidos:[/] {stack.pasta_emails.resolve()}")
    console.print("Ctrl-C para parar.\n")
    if simulate:
        from producers.feed import alimentar

        threading.Thread(
            target=alimentar,
            args=(settings, parar),
            kwargs={"taxa": taxa, "carga_inicial": carga_inicial, "avisar": console.print},
            daemon=True,
        ).start()
    status = 0
    while not parar.wait(1.0):
        morto = stack.morto()
        if morto is not None:
            erros.print(
                f"[red]erro:[/] {morto.nome} parou (status {morto.popen.returncode}); veja {morto.log}"
            )
            status = 1
            break
    parar.set()
    console.print("parando…")
    stack.parar()
    raise typer.Exit(status)


if __name__ == "__main__":
    app()
