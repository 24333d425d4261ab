"""What the token commands of agencies and integrators share: dates and revocation."""

from __future__ import annotations

__all__ = ["data_utc", "revogar_token"]

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol, Self, TypeVar

import typer

from cli.commands._base import console, erros
from protocolo.credenciais import ComToken, Credenciais
from protocolo.errors import PublishError


def data_utc(valor: datetime | None) -> str:
    """A date as the token tables show it."""
    return valor.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if valor else "—"


class _Revogavel(ComToken, Protocol):
    @property
    def revogada_em(self) -> datetime | None: ...

    def revogar(self, quando: datetime) -> Self: ...


R = TypeVar("R", bound=_Revogavel)


def revogar_token(
    id_: str, *, ler: Callable[[], Credenciais[R]], gravar: Callable[[R], None], dono: Callable[[R], str]
) -> None:
    """Revoke the credential `id_` (read with `ler`, written with `gravar`); `dono` names it in pt-BR."""
    credencial = ler().get(id_.strip())
    if credencial is None:
        erros.print(f"[red]erro:[/] token {id_} não existe")
        raise typer.Exit(1)
    if not credencial.ativa:
        console.print(f"token {credencial.id} já estava revogado desde {data_utc(credencial.revogada_em)}")
        return
    try:
        gravar(credencial.revogar(datetime.now(UTC)))
    except PublishError as exc:
        erros.print(f"[red]erro:[/] a revogação não foi registrada: {exc}", highlight=False)
        raise typer.Exit(1) from exc
    console.print(f"revogado: token {credencial.id} {dono(credencial)}", highlight=False)
