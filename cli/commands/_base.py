"""The typer app and the consoles every command prints to. Messages for people are in pt-BR."""

from __future__ import annotations

__all__ = ["app", "barra_de_progresso", "console", "erros"]

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

app = typer.Typer(help="Protocolo: tramitação de processos, do órgão ao cidadão.", no_args_is_help=True)


@app.callback()
def _principal(ctx: typer.Context) -> None:
    """Protocolo: tramitação de processos, do órgão ao cidadão."""
    from cli.ambiente import carregar_ambiente

    if ctx.invoked_subcommand != "up":  # beside a running `protocolo up`: reach its servers
        carregar_ambiente(Path(os.environ.get("PROTOCOLO_STATE_DIR", ".local")))


# soft_wrap: a message is one line whatever the width (80 columns when not a terminal), so
# `file:line: field: reason` stays one line for people, grep and tests. Progress bars size themselves.
console = Console(soft_wrap=True)
erros = Console(stderr=True, soft_wrap=True)


class _Taxa(ProgressColumn):
    """Messages per second, as rich measures the task's speed."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} msg/s".replace(",", "."))


def barra_de_progresso(*, em_bytes: bool = False, com_taxa: bool = False) -> Progress:
    """The progress bar long commands show on stderr (stdout keeps the summary for scripts).

    `em_bytes`: the task counts bytes of a file (total = its size) and has an `eventos` field.
    `com_taxa`: the task counts messages; shows their rate and the time left.
    """
    colunas: tuple[ProgressColumn, ...] = (
        (
            TaskProgressColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[eventos]} eventos"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
        )
        if em_bytes
        else (MofNCompleteColumn(), _Taxa(), TimeElapsedColumn(), TimeRemainingColumn())
        if com_taxa
        else (MofNCompleteColumn(), TimeElapsedColumn())
    )
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        *colunas,
        console=erros,
        transient=True,
        # Nobody watches a redirected stderr: no bar, and none of the blank line rich prints there at the end.
        disable=not erros.is_interactive,
    )
