"""Token buckets that limit subscription requests per address and per client IP. Pure.

The buckets live in the memory of one API process: with N processes behind a load balancer a
client gets up to N times the configured rate. That bounds abuse (mail bombing an address with
confirmation e-mails, flooding the topic) well enough; a shared store would be needed for exact limits.
"""

from __future__ import annotations

__all__ = ["LimiteExcedido", "LimiteTaxa", "LimitesInscricao"]

import hashlib
import hmac
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from protocolo.errors import ProtocoloError
from protocolo.settings import InscricaoSettings


@dataclass
class _Balde:
    fichas: float
    visto_em: float


class LimiteTaxa:
    """`capacidade` requests at once per key, refilled at `por_s` per second; bounded memory."""

    def __init__(self, *, capacidade: int, por_s: float, max_chaves: int = 100_000) -> None:
        self.capacidade = capacidade
        self.por_s = por_s
        self.max_chaves = max_chaves
        self._baldes: OrderedDict[str, _Balde] = OrderedDict()

    def consumir(self, chave: str, agora: float) -> float:
        """Take one token for `chave`: 0 when allowed, else the seconds until one is available."""
        balde = self._baldes.pop(chave, None)
        if balde is None:
            balde = _Balde(float(self.capacidade), agora)
        else:
            balde.fichas = min(self.capacidade, balde.fichas + (agora - balde.visto_em) * self.por_s)
            balde.visto_em = agora
        self._baldes[chave] = balde  # most recently seen last
        while len(self._baldes) > self.max_chaves:
            # The least recently seen bucket is the fullest-by-now one worth forgetting.
            self._baldes.popitem(last=False)
        if balde.fichas >= 1:
            balde.fichas -= 1
            return 0.0
        return (1 - balde.fichas) / self.por_s

    @staticmethod
    def segundos_inteiros(espera: float) -> int:
        """A Retry-After value: whole seconds, at least 1."""
        return max(1, math.ceil(espera))


class LimiteExcedido(ProtocoloError):
    """Too many subscription requests from this client or for this address; retry after `segundos`."""

    def __init__(self, segundos: int) -> None:
        self.segundos = segundos
        super().__init__(f"Muitos pedidos de inscrição. Tente novamente em {segundos} segundos.")


class LimitesInscricao:
    """The per-address and per-IP buckets of one API process (see the module docstring)."""

    def __init__(self, settings: InscricaoSettings, segredo: bytes) -> None:
        self._segredo = segredo
        self._por_ip = LimiteTaxa(capacidade=settings.por_ip, por_s=settings.por_ip_por_h / 3600)
        self._por_email = LimiteTaxa(capacidade=settings.por_email, por_s=settings.por_email_por_h / 3600)

    def verificar(self, *, ip: str, email: str, agora: float | None = None) -> None:
        """Take a token from both buckets; LimiteExcedido with the longer wait if either is empty."""
        momento = time.monotonic() if agora is None else agora
        # Addresses are kept only as keyed hashes, even in memory.
        chave_email = hmac.new(self._segredo, email.encode(), hashlib.sha256).hexdigest()
        espera = max(self._por_ip.consumir(ip, momento), self._por_email.consumir(chave_email, momento))
        if espera > 0:
            raise LimiteExcedido(LimiteTaxa.segundos_inteiros(espera))
