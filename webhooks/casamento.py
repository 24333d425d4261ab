"""Which saved-search webhooks a movimento goes to: its processo's matches, read from snapshots. Pure.

A webhook that follows a saved search (alvo `alerta`) receives every public movimento of the
processos that match the search. What a processo matches comes from its snapshots on
tramitacao.processos (the movimento lacks the interessados, the documentos, the situação), with
the alert sender's matcher (protocolo.alertas), so a webhook and a search agree. The deliverer
reads both topics with one consumer, and a movimento may come before the snapshot of its own
version. So a movimento is decided only once its processo's matches are known at least as new
as it:

- a snapshot of its version or a newer one was read (`versoes`: the latest version of the
  processos read lately, a bounded memory), or
- every processos partition has gone past it (`Relogio`): it read a snapshot produced
  `margem_s` after the movimento, or it is at its end and `margem_s` has passed. The streams
  produce a movimento and its snapshot in the same batch, so by then the snapshot was read,
  possibly before a restart of the deliverer; what it matched is in `casados`.

Until then the movimento is held (`retidos`), and the deliverer commits no movimentos offset at
or past a held one: a crash reads it again.

`casados` holds the processos that match at least one saved-search webhook, and is the
deliverer's own table (webhooks.casamentos, compacted), written before the processos offsets
are committed: a restarted deliverer knows them without reading every snapshot again. A processo
that matches nothing has no entry, so memory follows the matches, not the number of processos.
"""

from __future__ import annotations

__all__ = ["CasamentoAlertas", "Relogio", "Retido", "consulta_do_alvo"]

import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from protocolo.alertas.analise import Regras
from protocolo.alertas.consulta import ConsultaAlerta, consulta_de_json
from protocolo.alertas.indice import Casador
from protocolo.documento_busca import documento_processo
from protocolo.webhooks import Alvo, TipoAlvo, Webhook


def consulta_do_alvo(alvo: Alvo) -> ConsultaAlerta:
    """The saved search of an `alerta` target (its value is the JSON the API wrote)."""
    return consulta_de_json(json.loads(alvo.valor)["consulta"])


@dataclass(frozen=True)
class Retido:
    """A movimento waiting for its processo's matches, with where it was read and when it was produced."""

    movimento: dict[str, Any]
    particao: int
    offset: int
    produzido_s: float


@dataclass(frozen=True)
class Relogio:
    """One processos partition as the deliverer has read it: the newest record's production time,
    and whether it is at the partition's end."""

    ultimo_s: float
    no_fim: bool


class CasamentoAlertas:
    """The saved-search webhooks' matcher, each matching processo's webhooks, and the held movimentos."""

    def __init__(self, regras: Regras, *, margem_s: float, recentes_max: int) -> None:
        self.casador = Casador(regras)
        self.margem_s = margem_s
        self.recentes_max = recentes_max
        self.casados: dict[str, frozenset[str]] = {}
        self.versoes: OrderedDict[str, int] = OrderedDict()
        self.retidos: list[Retido] = []
        self._consultas: dict[str, str] = {}

    def __bool__(self) -> bool:
        """Whether any saved-search webhook is registered (otherwise nothing needs the snapshots)."""
        return bool(self._consultas)

    def sincronizar(self, webhooks: Mapping[str, Webhook]) -> list[str]:
        """Follow the registrations: file each new saved-search webhook, forget removed ones; the ids
        of those whose search cannot be read (not filed: they match nothing)."""
        atuais = {w.id: w.alvo.valor for w in webhooks.values() if w.alvo.tipo is TipoAlvo.ALERTA}
        for id_ in [id_ for id_ in self._consultas if id_ not in atuais]:
            del self._consultas[id_]
            self.casador.remover(id_)
        ilegiveis = []
        for id_, valor in atuais.items():
            if self._consultas.get(id_) != valor:
                self._consultas[id_] = valor
                try:
                    self.casador.adicionar(id_, consulta_do_alvo(Alvo(TipoAlvo.ALERTA, valor)))
                except (ValueError, KeyError, TypeError):
                    self.casador.remover(id_)
                    ilegiveis.append(id_)
        return ilegiveis

    def carregar(self, casados: Mapping[str, tuple[Iterable[str], int]]) -> None:
        """The table as read back at start: each processo's webhooks and the snapshot version they
        were last written at (a movimento of that version or older needs no wait)."""
        self.casados = {}
        for nup, (ids, versao) in casados.items():
            if ids := frozenset(ids):
                self.casados[nup] = ids
                self._lembrar(nup, versao)

    def _lembrar(self, nup: str, versao: int) -> None:
        self.versoes[nup] = max(versao, self.versoes.get(nup, -1))
        self.versoes.move_to_end(nup)
        while len(self.versoes) > self.recentes_max:
            self.versoes.popitem(last=False)

    def aplicar_snapshot(self, snapshot: Mapping[str, Any]) -> tuple[str, frozenset[str]] | None:
        """Match one snapshot (an older version than one already read changes nothing); the processo's
        new set of webhooks when it changed (empty: a tombstone), to be written to the table."""
        nup, versao = snapshot["nup"], snapshot["versao"]
        if self.versoes.get(nup, -1) > versao:
            return None
        self._lembrar(nup, versao)
        novos = frozenset(self.casador.casar(self.casador.analisar(documento_processo(dict(snapshot)))))
        if novos == self.casados.get(nup, frozenset()):
            return None
        if novos:
            self.casados[nup] = novos
        else:
            self.casados.pop(nup, None)
        return nup, novos

    def _decidivel(self, retido: Retido, relogios: Mapping[int, Relogio], agora_s: float) -> bool:
        movimento = retido.movimento
        versao = movimento.get("processo_versao")
        if versao is not None and self.versoes.get(movimento["nup"], -1) >= versao:
            return True
        limite = retido.produzido_s + self.margem_s
        return bool(relogios) and all(
            r.ultimo_s >= limite or (r.no_fim and agora_s >= limite) for r in relogios.values()
        )

    def decidir(
        self, retidos: Iterable[Retido], relogios: Mapping[int, Relogio], agora_s: float
    ) -> list[tuple[Retido, frozenset[str]]]:
        """Decide the movimentos that can be, with their processo's webhooks; hold the others."""
        decididos: list[tuple[Retido, frozenset[str]]] = []
        esperando: list[Retido] = []
        for retido in [*self.retidos, *retidos]:
            if self._decidivel(retido, relogios, agora_s):
                decididos.append((retido, self.casados.get(retido.movimento["nup"], frozenset())))
            else:
                esperando.append(retido)
        self.retidos = esperando
        return decididos

    def primeiro_retido(self) -> dict[int, int]:
        """movimentos partition -> offset of its first held movimento: no commit may pass it."""
        primeiros: dict[int, int] = {}
        for retido in self.retidos:
            primeiros[retido.particao] = min(retido.offset, primeiros.get(retido.particao, retido.offset))
        return primeiros
