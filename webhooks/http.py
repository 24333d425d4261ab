"""The two requests the deliverer makes: the ownership check (GET) and a delivery (POST).

Each has one deadline for the whole exchange (connect, send, answer), so a slow endpoint costs
at most `timeout_s` per attempt. Redirects are not followed: a 3xx is a failure, like any answer
outside 2xx. Only as much of a body as a challenge needs is read.
"""

from __future__ import annotations

__all__ = ["Resultado", "desafiar", "entregar"]

import asyncio
import secrets
from dataclasses import dataclass

import httpx

_DESAFIO_MAX_BYTES = 4096


@dataclass(frozen=True)
class Resultado:
    """An attempt's outcome; `motivo` (pt-BR) says why it failed."""

    ok: bool
    motivo: str | None = None


def _falha(exc: BaseException) -> Resultado:
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return Resultado(False, "tempo esgotado")
    if isinstance(exc, httpx.ConnectError):
        return Resultado(False, "conexão recusada ou host inalcançável")
    return Resultado(False, f"erro de rede ({exc.__class__.__name__})")


async def desafiar(cliente: httpx.AsyncClient, url: str, *, topico: str, timeout_s: float) -> Resultado:
    """WebSub-style check: GET url?hub.challenge=RANDOM must answer 2xx with RANDOM as its body."""
    desafio = secrets.token_urlsafe(24)
    params = {"hub.mode": "subscribe", "hub.topic": topico, "hub.challenge": desafio}

    async def _pedir() -> Resultado:
        async with cliente.stream("GET", url, params=params) as resposta:
            corpo = b""
            async for parte in resposta.aiter_bytes():
                corpo += parte
                if len(corpo) > _DESAFIO_MAX_BYTES:
                    break
        if not 200 <= resposta.status_code < 300:
            return Resultado(False, f"a verificação recebeu HTTP {resposta.status_code}")
        if corpo.strip() != desafio.encode():
            return Resultado(False, "a resposta da verificação não repetiu o valor de hub.challenge")
        return Resultado(True)

    try:
        return await asyncio.wait_for(_pedir(), timeout_s)
    except (TimeoutError, httpx.HTTPError) as exc:
        return _falha(exc)


async def entregar(
    cliente: httpx.AsyncClient, url: str, corpo: bytes, cabecalhos: dict[str, str], *, timeout_s: float
) -> Resultado:
    """POST one signed delivery; ok on any 2xx."""

    async def _pedir() -> Resultado:
        async with cliente.stream("POST", url, content=corpo, headers=cabecalhos) as resposta:
            status = resposta.status_code
        if 200 <= status < 300:
            return Resultado(True)
        return Resultado(False, f"HTTP {status}")

    try:
        return await asyncio.wait_for(_pedir(), timeout_s)
    except (TimeoutError, httpx.HTTPError) as exc:
        return _falha(exc)
