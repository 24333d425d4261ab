"""The composition root: the `protocolo` command, the local stack, the SMTP sink and the simulator.

It may import the core and every service; nothing imports it. `app` is loaded on first use (by
`main`, the console script's target), so that `python -m cli.smtpsink` and `import cli.stack` do not
build every command.
"""

from __future__ import annotations

__all__ = ["app", "main"]

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cli.commands import app


def main() -> None:
    """The console script: every command, and a refused setting as pt-BR lines naming its variables."""
    from pydantic import ValidationError

    from cli.commands import app
    from cli.commands._base import erros
    from protocolo.configuracao import STATUS_CONFIGURACAO, de_settings, mensagens

    try:
        app()
    except ValidationError as exc:
        if not de_settings(exc):
            raise
        for linha in mensagens(exc):
            erros.print(f"[red]configuração recusada:[/] {linha}", highlight=False, markup=True)
        raise SystemExit(STATUS_CONFIGURACAO) from None


def __getattr__(nome: str) -> Any:
    if nome == "app":
        from cli.commands import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {nome!r}")
