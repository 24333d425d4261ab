"""The alert sender's state and its plan: what a batch of snapshots and movimentos gives each alert. Pure.

- A processo *newly* matches an alert when a snapshot of it matches and no NOVO novelty of that
  (alert, processo) exists yet: autuado, made public, or changed into the search. Each is told once.
- A movement is told to the alerts with `movimentos` that its processo currently matches (as its
  latest snapshot seen says), except a movement the NOVO novelty already covers: one whose
  processo version is not past the snapshot that newly matched (the autuação itself, whichever of
  the snapshot and the movimento the sender reads first).
- A processo that stops being public takes its novelties out of the outbox (`retirar`: tombstones), so
  a digest not yet sent never lists it, and it is told as new again if it is made public later.
- Novelties are the outbox: written (acknowledged) on alertas.novidades before any e-mail, so a
  restart finds what it still has to tell; `planejar_envios` mails each novelty of an `imediato`
  alert once, and each closed interval of a `diario` or `semanal` alert as one digest, both under
  a Message-ID that enviadas records, so a restart never sends a digest twice.
"""

from __future__ import annotations

__all__ = ["EstadoAlertas", "Novidade", "novidade_from_avro", "novidade_to_avro"]

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from protocolo.alertas.alerta import Alerta, alerta_from_avro
from protocolo.alertas.indice import Casador
from protocolo.documento_busca import documento_processo


@dataclass(frozen=True)
class Novidade:
    """One thing to tell one alert: a processo that newly matches it (NOVO) or a movement (MOVIMENTO)."""

    alerta: str
    tipo: str
    item: str
    nup: str
    assunto: str | None
    orgao: str | None
    operacao: str | None
    ocorrido_em: datetime | None
    registrada_em: datetime
    versao: int | None = None

    @property
    def chave(self) -> str:
        """Its key on the outbox topic: the alert and the item (never an address)."""
        return f"{self.alerta}#{self.tipo}#{self.item}"


def novidade_to_avro(novidade: Novidade) -> dict[str, Any]:
    """A Novidade as a `novidade` record."""
    return {
        "alerta": novidade.alerta,
        "tipo": novidade.tipo,
        "item": novidade.item,
        "nup": novidade.nup,
        "assunto": novidade.assunto,
        "orgao": novidade.orgao,
        "operacao": novidade.operacao,
        "ocorrido_em": novidade.ocorrido_em,
        "registrada_em": novidade.registrada_em,
        "versao": novidade.versao,
    }


def novidade_from_avro(registro: dict[str, Any]) -> Novidade:
    """A `novidade` record."""
    campos: dict[str, Any] = {campo: registro.get(campo) for campo in Novidade.__dataclass_fields__}
    return Novidade(**campos)


class EstadoAlertas:
    """Alerts, the matcher, current matches per processo and the outbox."""

    def __init__(self, casador: Casador) -> None:
        self.casador = casador
        self.alertas: dict[str, Alerta] = {}
        self.casados: dict[str, set[str]] = {}
        # (alert, nup) told NOVO -> the version of the snapshot that newly matched (-1: unknown).
        self.vistos: dict[tuple[str, str], int] = {}
        self.caixa: dict[str, dict[str, Novidade]] = defaultdict(dict)
        self.por_nup: dict[str, set[tuple[str, str]]] = defaultdict(set)  # nup -> (alert, outbox key)

    def aplicar_alerta(self, chave: str, registro: dict[str, Any] | None) -> Alerta | None:
        """Apply one alertas record (a tombstone cancels); only confirmed alerts are matched."""
        if registro is None:
            self.alertas.pop(chave, None)
            self.casador.remover(chave)
            self.caixa.pop(chave, None)
            return None
        alerta = alerta_from_avro(chave, registro)
        self.alertas[chave] = alerta
        if alerta.ativo:
            self.casador.adicionar(chave, alerta.consulta)
        else:
            self.casador.remover(chave)
        return alerta

    def aplicar_novidade(self, novidade: Novidade, *, contada: bool = False) -> None:
        """Put one novelty in the outbox (as read back from its topic, or just written); `contada`: one
        told long ago, remembered (never told as new again) but not to be mailed."""
        if novidade.tipo == "NOVO":
            self.vistos[(novidade.alerta, novidade.nup)] = -1 if novidade.versao is None else novidade.versao
        self.por_nup[novidade.nup].add((novidade.alerta, novidade.chave))
        if not contada:
            self.caixa[novidade.alerta][novidade.chave] = novidade

    def retirar(self, nups: Iterable[str]) -> list[str]:
        """Forget every novelty of processos no longer public; the outbox keys to tombstone."""
        chaves: list[str] = []
        for nup in nups:
            for alerta, chave in sorted(self.por_nup.pop(nup, ())):
                self.caixa.get(alerta, {}).pop(chave, None)
                self.vistos.pop((alerta, nup), None)
                chaves.append(chave)
        return chaves

    def novidades(
        self, snapshots: Iterable[dict[str, Any]], movimentos: Iterable[dict[str, Any]], agora: datetime
    ) -> list[Novidade]:
        """The novelties of one batch (snapshots first: a movement needs its processo's matches)."""
        novas: dict[str, Novidade] = {}
        for snapshot in snapshots:
            nup = snapshot["nup"]
            casam = self.casador.casar(self.casador.analisar(documento_processo(snapshot)))
            self.casados[nup] = casam
            for alerta in sorted(casam):
                if (alerta, nup) in self.vistos:
                    continue
                novidade = Novidade(
                    alerta,
                    "NOVO",
                    nup,
                    nup,
                    snapshot.get("assunto"),
                    snapshot.get("orgao_nome") or snapshot.get("orgao"),
                    snapshot.get("ultima_operacao"),
                    snapshot.get("atualizado_em"),
                    agora,
                    snapshot.get("versao"),
                )
                self.vistos[(alerta, nup)] = snapshot.get("versao", -1)
                novas[novidade.chave] = novidade
        for movimento in movimentos:
            nup = movimento["nup"]
            for alerta in sorted(self.casados.get(nup, ())):
                registro = self.alertas.get(alerta)
                if registro is None or not registro.movimentos:
                    continue
                versao = movimento.get("processo_versao")
                if versao is not None and versao <= self.vistos.get((alerta, nup), -1):
                    continue  # the NOVO novelty of this processo already tells it
                novidade = Novidade(
                    alerta,
                    "MOVIMENTO",
                    movimento["id"],
                    nup,
                    movimento.get("assunto"),
                    movimento.get("orgao_nome") or movimento.get("orgao"),
                    movimento.get("operacao"),
                    movimento.get("ocorrido_em"),
                    agora,
                    versao,
                )
                novas[novidade.chave] = novidade
        return list(novas.values())
