"""The typer app and the consoles every command prints to. Messages for people are in pt-BR."""

from __future__ import annotations

__all__ = ["app", "console", "erros"]

import typer
from rich.console import Console

app = typer.Typer(help="Protocolo: tramitação de processos, do órgão ao cidadão.", no_args_is_help=True)

console = Console()
erros = Console(stderr=True)
