"""Opaque page tokens: where the next page starts, bound to the query it belongs to. Pure.

A cursor is base64url(JSON) holding how many results came before (`n`), the sort values of the
last one (`a`, for search_after) when the order allows it, a tag of the query (`c`), a MAC over
all of it (`m`) and the id of the key both were made with (`k`). Both are HMAC-SHA256 with that
key: the query tag tells "another query" from "tampered with", and being keyed it cannot be used
to guess a CPF filter from a cursor. A cursor without `k` predates key rotation: key `k0`
(protocolo.chaveiro).
"""

from __future__ import annotations

__all__ = ["CursorInvalido", "Pagina", "criar_cursor", "ler_cursor"]

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from api.busca.params import ConsultaInvalida
from protocolo.chaveiro import Chaveiro, Segredo, bytes_de

Valor = int | float | str

_CORROMPIDO = "cursor: inválido ou corrompido; repita a consulta sem o cursor"
_OUTRA = "cursor: pertence a outra consulta (texto, filtros ou ordem mudaram); repita a consulta sem o cursor"


class CursorInvalido(ConsultaInvalida):
    """A cursor that was not made by this server for this query."""


@dataclass(frozen=True)
class Pagina:
    """Where a page starts: after `vistos` results and, for search_after, after the values `apos`."""

    vistos: int
    apos: tuple[Valor, ...] | None = None


def _b64(dados: bytes) -> str:
    return base64.urlsafe_b64encode(dados).rstrip(b"=").decode("ascii")


def _de_b64(texto: str) -> bytes:
    return base64.urlsafe_b64decode(texto + "=" * (-len(texto) % 4))


def _hmac(segredo: bytes, *partes: str) -> bytes:
    return hmac.new(segredo, "\x00".join(partes).encode(), hashlib.sha256).digest()


def _conteudo(pagina: Pagina) -> str:
    apos = list(pagina.apos) if pagina.apos is not None else None
    return json.dumps([pagina.vistos, apos], separators=(",", ":"), ensure_ascii=False)


def criar_cursor(pagina: Pagina, *, chave: str, segredo: Segredo) -> str:
    """The token of `pagina` for the query whose BuscaParams.chave() is `chave` (a raw key: no `k`)."""
    chave_hmac = bytes_de(segredo)
    corpo: dict[str, Any] = {
        "n": pagina.vistos,
        "c": _b64(_hmac(chave_hmac, "consulta", chave)[:9]),
        "m": _b64(_hmac(chave_hmac, "cursor", chave, _conteudo(pagina))[:18]),
    }
    if pagina.apos is not None:
        corpo["a"] = list(pagina.apos)
    if not isinstance(segredo, bytes):
        corpo["k"] = segredo.id
    return _b64(json.dumps(corpo, separators=(",", ":"), ensure_ascii=False).encode())


def _valor_ok(valor: object) -> bool:
    return isinstance(valor, int | float | str) and not isinstance(valor, bool)


def ler_cursor(token: str, *, chave: str, chaveiro: Chaveiro) -> Pagina:
    """The page a token points to; CursorInvalido when it is garbage, altered or from another query."""
    try:
        corpo = json.loads(_de_b64(token.strip()).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorInvalido(_CORROMPIDO) from exc
    if not isinstance(corpo, dict):
        raise CursorInvalido(_CORROMPIDO)
    vistos, apos, tag, mac = corpo.get("n"), corpo.get("a"), corpo.get("c"), corpo.get("m")
    id_chave = corpo.get("k")
    chave_secreta = chaveiro.para(id_chave) if id_chave is None or isinstance(id_chave, str) else None
    if chave_secreta is None:  # a key no longer held, or garbage
        raise CursorInvalido(_CORROMPIDO)
    segredo = chave_secreta.segredo
    if not (isinstance(vistos, int) and not isinstance(vistos, bool) and vistos >= 0):
        raise CursorInvalido(_CORROMPIDO)
    if not isinstance(tag, str) or not isinstance(mac, str):
        raise CursorInvalido(_CORROMPIDO)
    if apos is not None and not (isinstance(apos, list) and 0 < len(apos) <= 4 and all(map(_valor_ok, apos))):
        raise CursorInvalido(_CORROMPIDO)
    if not hmac.compare_digest(tag, _b64(_hmac(segredo, "consulta", chave)[:9])):
        raise CursorInvalido(_OUTRA)
    pagina = Pagina(vistos, tuple(apos) if apos is not None else None)
    if not hmac.compare_digest(mac, _b64(_hmac(segredo, "cursor", chave, _conteudo(pagina))[:18])):
        raise CursorInvalido(_CORROMPIDO)
    return pagina
