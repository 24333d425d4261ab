"""The subscriptions materialised from the inscricoes topic and the notifier's bounce marks. Pure."""

from __future__ import annotations

__all__ = ["Inscricoes"]

from collections import defaultdict
from typing import Any

from notifier.messages import Inscrito
from protocolo.inscricoes import Devolucao, Inscricao, com_devolucao, devolucao_from_avro, inscricao_from_avro


class Inscricoes:
    """Who follows which NUP, and in which state; a tombstone removes a subscription."""

    def __init__(self) -> None:
        self._por_chave: dict[str, Inscricao] = {}
        self._por_nup: dict[str, set[str]] = defaultdict(set)
        self._devolucoes: dict[str, Devolucao] = {}

    def aplicar(self, chave: str, registro: dict[str, Any] | None) -> None:
        """Apply one record of the topic, in offset order (any schema version; v1 reads CONFIRMADA)."""
        anterior = self._por_chave.pop(chave, None)
        if anterior is not None:
            self._por_nup[anterior.nup].discard(chave)
        if registro is not None:
            inscricao = inscricao_from_avro(chave, registro)
            self._por_chave[chave] = inscricao
            self._por_nup[inscricao.nup].add(chave)

    def aplicar_devolucao(self, chave: str, registro: dict[str, Any] | None) -> None:
        """Apply one bounce mark (a tombstone removes it); it counts only for the record it names."""
        if registro is None:
            self._devolucoes.pop(chave, None)
        else:
            self._devolucoes[chave] = devolucao_from_avro(chave, registro)

    def buscar(self, chave: str) -> Inscricao | None:
        """The latest state of one subscription (DEVOLVENDO when its current record bounced)."""
        return com_devolucao(self._por_chave.get(chave), self._devolucoes.get(chave))

    def do_processo(self, nup: str, operacao: str | None = None) -> list[Inscrito]:
        """Confirmed subscriptions of one NUP (that want `operacao`, when given), in a stable order.

        One per address: while `protocolo inscricoes rekey` moves a subscription to a new key, its
        record under the new key may be read before the removal of the old one.
        """
        inscricoes = (self.buscar(c) for c in sorted(self._por_nup.get(nup, ())))
        por_email: dict[str, Inscrito] = {}
        for i in inscricoes:
            if i is not None and i.ativa and (operacao is None or i.recebe(operacao)):
                por_email.setdefault(i.email, Inscrito(i.chave, i.nup, i.email))
        return list(por_email.values())

    def __len__(self) -> int:
        return len(self._por_chave)
