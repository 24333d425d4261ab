"""Bearer credentials (agencies, integrators): tokens shown once, stored as keyed hashes. Pure.

A token reads `<prefixo>_<id>_<secret>`: the prefix tells whose token it is (`pit` for an agency's
gateway token, `pin` for an integrator's), the id finds the credential without a scan, the secret
(256 random bits) proves it. Only HMAC-SHA256(server secret, token) is stored, and it is compared
in constant time, so neither the stored hash nor timing reveals a usable token.
"""

from __future__ import annotations

__all__ = [
    "ComToken",
    "Credenciais",
    "Credencial",
    "PREFIXO_AGENCIA",
    "Revogavel",
    "gerar_credencial",
    "gerar_token",
    "hash_token",
]

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Generic, Protocol, Self, TypeVar

PREFIXO_AGENCIA = "pit"


class ComToken(Protocol):
    """What authentication needs of a stored credential."""

    @property
    def id(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def criada_em(self) -> datetime: ...
    @property
    def ativa(self) -> bool: ...


class Revogavel:
    """Revocation for a frozen credential dataclass with a `revogada_em` field."""

    revogada_em: datetime | None

    @property
    def ativa(self) -> bool:
        """Not revoked."""
        return self.revogada_em is None

    def revogar(self, quando: datetime) -> Self:
        """The same credential, revoked at `quando` (a revoked one stays revoked at its first date)."""
        return self if self.revogada_em else replace(self, revogada_em=quando)  # type: ignore[type-var]


@dataclass(frozen=True)
class Credencial(Revogavel):
    """One agency credential, as stored (no token)."""

    id: str
    orgao: str
    hash: str
    criada_em: datetime
    descricao: str | None = None
    revogada_em: datetime | None = None


def hash_token(segredo: bytes, token: str) -> str:
    """The keyed hash stored in place of the token."""
    return hmac.new(segredo, token.encode(), hashlib.sha256).hexdigest()


def gerar_token(segredo: bytes, prefixo: str) -> tuple[str, str, str]:
    """A new (id, token, keyed hash); the token exists only in the return value."""
    id_ = secrets.token_hex(6)
    token = f"{prefixo}_{id_}_{secrets.token_urlsafe(32)}"
    return id_, token, hash_token(segredo, token)


def gerar_credencial(
    segredo: bytes, *, orgao: str, agora: datetime, descricao: str | None = None
) -> tuple[Credencial, str]:
    """A new agency credential and its token; the token exists only in the return value."""
    id_, token, hash_ = gerar_token(segredo, PREFIXO_AGENCIA)
    return Credencial(id_, orgao, hash_, agora, descricao), token


C = TypeVar("C", bound=ComToken)


class Credenciais(Generic[C]):
    """The current credentials of one kind (one token prefix), by id."""

    def __init__(self, credenciais: Iterable[C], *, prefixo: str = PREFIXO_AGENCIA) -> None:
        self._por_id = {c.id: c for c in credenciais}
        self._token = re.compile(rf"^{re.escape(prefixo)}_(?P<id>[0-9a-f]{{12}})_[A-Za-z0-9_-]{{43}}$")

    def __len__(self) -> int:
        return len(self._por_id)

    def todas(self) -> list[C]:
        """Every credential, oldest first."""
        return sorted(self._por_id.values(), key=lambda c: (c.criada_em, c.id))

    def get(self, id_: str) -> C | None:
        """The credential with this id, active or not."""
        return self._por_id.get(id_)

    def autenticar(self, segredo: bytes, token: str) -> C | None:
        """The active credential this token proves, or None (malformed, unknown, wrong or revoked)."""
        casamento = self._token.match(token)
        candidata = self._por_id.get(casamento["id"]) if casamento else None
        # Hash and compare even when there is no candidate, so timing does not tell ids apart.
        esperado = candidata.hash if candidata else "0" * 64
        confere = hmac.compare_digest(hash_token(segredo, token), esperado)
        if candidata is None or not confere or not candidata.ativa:
            return None
        return candidata
