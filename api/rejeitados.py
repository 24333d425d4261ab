"""The agencies' rejections, as the gateway serves them: a bounded view per órgão, and its pages. Pure.

The view keeps, for each órgão, its latest `por_orgao` dead letters in their masked form
(protocolo.rejeicoes: code, reason, identity, positions; never the bytes, never a full CPF), each
numbered in the order the reader saw it. A page is newest first; its cursor is the number of the
last item shown, so the next page starts right after it, whatever arrived since. Older rejections
than the view holds are an operator's question (`protocolo dlq list`).

A dead letter whose bytes cannot be read names no órgão, so no agency sees it.
"""

from __future__ import annotations

__all__ = ["CursorInvalido", "Pagina", "RejeitadosPorOrgao"]

from collections import deque
from dataclasses import dataclass

from protocolo.errors import ProtocoloError
from protocolo.rejeicoes import Rejeitado


class CursorInvalido(ProtocoloError, ValueError):
    """A cursor this view did not hand out (pt-BR message)."""


@dataclass(frozen=True)
class Pagina:
    """One page of an órgão's rejections, newest first; `proximo_cursor` None on the last page."""

    items: list[Rejeitado]
    proximo_cursor: str | None
    total: int  # rejections the view holds for the órgão


class RejeitadosPorOrgao:
    """The latest `por_orgao` masked dead letters of each órgão, numbered in reading order."""

    def __init__(self, por_orgao: int) -> None:
        self.por_orgao = por_orgao
        self._por_orgao: dict[str, deque[tuple[int, Rejeitado]]] = {}
        self._numero = 0

    def adicionar(self, rejeitado: Rejeitado) -> None:
        """Keep one dead letter (the órgão's oldest one leaves when its share is full)."""
        if rejeitado.orgao is None:
            return
        self._numero += 1
        fila = self._por_orgao.setdefault(rejeitado.orgao, deque(maxlen=self.por_orgao))
        fila.append((self._numero, rejeitado))

    def pagina(self, orgao: str, *, tamanho: int, cursor: str | None = None) -> Pagina:
        """The órgão's rejections after `cursor` (from the newest when None), at most `tamanho`."""
        antes = _numero_do_cursor(cursor)
        fila = self._por_orgao.get(orgao, deque())
        # A deque is a snapshot under the GIL: the reader thread may append while a page is cut.
        itens = [(n, r) for n, r in reversed(list(fila)) if antes is None or n < antes]
        pagina = itens[:tamanho]
        proximo = str(pagina[-1][0]) if len(itens) > tamanho else None
        return Pagina([r for _, r in pagina], proximo, len(fila))


def _numero_do_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or int(cursor) <= 0:
        raise CursorInvalido(f"cursor inválido: {cursor!r}; use o proximo_cursor da página anterior")
    return int(cursor)
