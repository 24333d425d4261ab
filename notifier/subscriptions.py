"""The subscriptions materialised from the compacted inscricoes topic. Pure."""

from __future__ import annotations

__all__ = ["Inscricoes"]

from collections import defaultdict
from typing import Any

from notifier.messages import Inscrito


class Inscricoes:
    """Who follows which NUP; a record adds or replaces a subscription, a tombstone removes it."""

    def __init__(self) -> None:
        self._por_chave: dict[str, Inscrito] = {}
        self._por_nup: dict[str, set[str]] = defaultdict(set)

    def aplicar(self, chave: str, registro: dict[str, Any] | None) -> None:
        """Apply one record of the topic, in offset order."""
        anterior = self._por_chave.pop(chave, None)
        if anterior is not None:
            self._por_nup[anterior.nup].discard(chave)
        if registro is not None:
            inscrito = Inscrito(chave=chave, nup=registro["nup"], email=registro["email"])
            self._por_chave[chave] = inscrito
            self._por_nup[inscrito.nup].add(chave)

    def do_processo(self, nup: str) -> list[Inscrito]:
        """Subscriptions of one NUP, in a stable order."""
        return [self._por_chave[c] for c in sorted(self._por_nup.get(nup, ()))]

    def __len__(self) -> int:
        return len(self._por_chave)
