"""The typer app and the consoles every command prints to. Messages for people are in pt-BR."""

from __future__ import annotations

__all__ = ["app", "barra_de_progresso", "console", "erros"]

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

app = typer.Typer(help="Protocolo: tramitação de processos, do órgão ao cidadão.", no_args_is_help=True)

console = Console()
erros = Console(stderr=True)


def barra_de_progresso() -> Progress:
    """The progress bar long commands show on stderr (stdout keeps the summary for scripts)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=erros,
        transient=True,
    )
