"""Integrators: systems that receive webhooks, each with a bearer token and a contact address. Pure.

Their tokens follow the agencies' pattern (protocolo.credenciais) with the prefix `pin`. The
contact address is where the platform writes when it disables one of the integrator's webhooks;
it is stored so the deliverer can write, and never shown by the API, the CLI or the logs.
"""

from __future__ import annotations

__all__ = [
    "PREFIXO_INTEGRADOR",
    "Integrador",
    "gerar_integrador",
    "integrador_from_avro",
    "integrador_to_avro",
]

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from protocolo.credenciais import Revogavel, gerar_token

PREFIXO_INTEGRADOR = "pin"


@dataclass(frozen=True)
class Integrador(Revogavel):
    """One integrator credential, as stored (no token)."""

    id: str
    nome: str
    email: str
    hash: str
    criada_em: datetime
    revogada_em: datetime | None = None

    def __repr__(self) -> str:
        # The contact address stays out of reprs (tracebacks, logs).
        return f"Integrador(id={self.id!r}, nome={self.nome!r}, ativa={self.ativa})"


def gerar_integrador(segredo: bytes, *, nome: str, email: str, agora: datetime) -> tuple[Integrador, str]:
    """A new integrator credential and its token; the token exists only in the return value."""
    id_, token, hash_ = gerar_token(segredo, PREFIXO_INTEGRADOR)
    return Integrador(id_, nome, email.strip().lower(), hash_, agora), token


def integrador_to_avro(integrador: Integrador) -> dict[str, Any]:
    """An integrator as an `integrador` Avro record."""
    return {
        "id": integrador.id,
        "nome": integrador.nome,
        "email": integrador.email,
        "hash": integrador.hash,
        "criada_em": integrador.criada_em,
        "revogada_em": integrador.revogada_em,
    }


def integrador_from_avro(registro: dict[str, Any]) -> Integrador:
    """An `integrador` Avro record as an Integrador."""
    return Integrador(
        id=registro["id"],
        nome=registro["nome"],
        email=registro["email"],
        hash=registro["hash"],
        criada_em=registro["criada_em"],
        revogada_em=registro.get("revogada_em"),
    )
