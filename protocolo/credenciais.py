"""Agency credentials for the HTTP gateway: tokens shown once, stored as keyed hashes. Pure.

A token reads `pit_<id>_<secret>`: the id finds the credential without a scan, the secret (256
random bits) proves it. Only HMAC-SHA256(server secret, token) is stored, and it is compared in
constant time, so neither the stored hash nor timing reveals a usable token.
"""

from __future__ import annotations

__all__ = ["Credencial", "Credenciais", "gerar_credencial", "hash_token"]

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

_TOKEN = re.compile(r"^pit_(?P<id>[0-9a-f]{12})_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class Credencial:
    """One agency credential, as stored (no token)."""

    id: str
    orgao: str
    hash: str
    criada_em: datetime
    descricao: str | None = None
    revogada_em: datetime | None = None

    @property
    def ativa(self) -> bool:
        """Not revoked."""
        return self.revogada_em is None

    def revogar(self, quando: datetime) -> Credencial:
        """The same credential, revoked at `quando` (a revoked one stays revoked at its first date)."""
        return self if self.revogada_em else replace(self, revogada_em=quando)


def hash_token(segredo: bytes, token: str) -> str:
    """The keyed hash stored in place of the token."""
    return hmac.new(segredo, token.encode(), hashlib.sha256).hexdigest()


def gerar_credencial(
    segredo: bytes, *, orgao: str, agora: datetime, descricao: str | None = None
) -> tuple[Credencial, str]:
    """A new credential and its token; the token exists only in the return value."""
    id_ = secrets.token_hex(6)
    token = f"pit_{id_}_{secrets.token_urlsafe(32)}"
    credencial = Credencial(id_, orgao, hash_token(segredo, token), agora, descricao)
    return credencial, token


class Credenciais:
    """The current credentials, by id."""

    def __init__(self, credenciais: Iterable[Credencial]) -> None:
        self._por_id = {c.id: c for c in credenciais}

    def __len__(self) -> int:
        return len(self._por_id)

    def todas(self) -> list[Credencial]:
        """Every credential, oldest first."""
        return sorted(self._por_id.values(), key=lambda c: (c.criada_em, c.id))

    def get(self, id_: str) -> Credencial | None:
        """The credential with this id, active or not."""
        return self._por_id.get(id_)

    def autenticar(self, segredo: bytes, token: str) -> Credencial | None:
        """The active credential this token proves, or None (malformed, unknown, wrong or revoked)."""
        casamento = _TOKEN.match(token)
        candidata = self._por_id.get(casamento["id"]) if casamento else None
        # Hash and compare even when there is no candidate, so timing does not tell ids apart.
        esperado = candidata.hash if candidata else "0" * 64
        confere = hmac.compare_digest(hash_token(segredo, token), esperado)
        if candidata is None or not confere or not candidata.ativa:
            return None
        return candidata
