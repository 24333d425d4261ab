"""`protocolo nup check`."""

from __future__ import annotations

__all__ = ["nup_app"]

from typing import Annotated

import typer

from cli.commands._base import app, console
from protocolo.errors import InvalidNup
from protocolo.nup import parse_nup

nup_app = typer.Typer(help="Números Únicos de Protocolo (NUP).", no_args_is_help=True)
app.add_typer(nup_app, name="nup")


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
