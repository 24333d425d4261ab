"""What the token commands of agencies and integrators share: dates, server keys and revocation."""

from __future__ import annotations

__all__ = ["avisar_chaves_anteriores", "chave_do_token", "data_utc", "revogar_token"]

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol, Self, TypeVar

import typer

from cli.commands._base import console, erros
from protocolo.chaveiro import Chaveiro
from protocolo.credenciais import ComToken, Credenciais, id_chave
from protocolo.errors import PublishError


def data_utc(valor: datetime | None) -> str:
    """A date as the token tables show it."""
    return valor.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if valor else "—"


def chave_do_token(credencial: ComToken, chaveiro: Chaveiro) -> str:
    """The id of the server key that holds a token's hash, as the token tables show it."""
    id_ = id_chave(credencial)
    return id_ if chaveiro.para(id_) else f"{id_} (fora da lista)"


def avisar_chaves_anteriores(credenciais: Iterable[ComToken], chaveiro: Chaveiro) -> None:
    """Say how many active tokens are held by a key older than the current one, and what to do."""
    antigos = sum(1 for c in credenciais if c.ativa and id_chave(c) != chaveiro.atual.id)
    if antigos:
        console.print(
            f"{antigos} ativos em chave anterior à atual ({chaveiro.atual.id}): "
            "crie um novo token para cada um e revogue o antigo antes de retirar a chave",
            highlight=False,
        )


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
