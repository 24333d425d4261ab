"""Reconciliation of one órgão×day range across the pipeline's stages, from decoded records. Pure.

A record belongs to the Brasília day of its event's `ocorrido_em` (the day the agency says the
movement happened), in every stage alike: the raw event, its dead letter, its movimento, its index
document and the e-mails about it. That day is in the event's content, so an exact resend lands on
the same day as its original, and the index (which keeps `ocorrido_em`, not when a message was
published) can be counted by the same key. A message too broken to tell its órgão or date counts
under the órgão `?` and the day it was written to its topic.

Which events must become public movimentos is the streams' rule, applied here through their own
functions: a valid event, first of its identity (orgao, id), whose processo is public in the end
(`streams.projection.eh_publico` of the access level of the processo's latest event in the fold's
timeline order, `protocolo.fold.ordem`). Such an event must be on the movimentos topic and in the
index; an event of a processo that is not public in the end must not be in the index (it may be on
the topic, emitted while the processo was public). A resend is an identity seen before with the
same fingerprint (`protocolo.impressao`); with another fingerprint it is a conflict.

The cut: the raw messages read first are the ones reconciled. The shell waits until the streams,
the indexer and the notifier have consumed past them, then reads the other sources, then the raw
messages published since (`alem_do_corte`): what the pipeline made of those is left out, not
reported as a mismatch.

Memory: counts per órgão×day; the latest (order, access level) of every processo in the raw topic
(its final visibility needs all its events, in range or not); and, for the events, movimentos,
index documents and subscriptions of the range only, one small entry each. Feed the stages in
order: eventos, dead letters, movimentos, subscriptions, e-mails and the index, then `relatorio`.
"""

from __future__ import annotations

__all__ = ["Conciliacao", "Divergencia", "Faixa", "Linha", "Relatorio", "dia_de_brasilia"]

import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from notifier.messages import message_id
from protocolo.avro import Catalogo
from protocolo.errors import CodecError
from protocolo.fold import Ordem, ordem
from protocolo.impressao import impressao_mensagem
from protocolo.model import Evento, NivelAcesso
from streams.intake import ler_evento
from streams.projection import eh_publico

_BRASILIA = ZoneInfo("America/Sao_Paulo")
ILEGIVEL = "?"  # the órgão of a message too broken to name one

Chave = tuple[str, date]  # (orgao, Brasília day)


def dia_de_brasilia(instante: datetime) -> date:
    """The Brasília calendar day of an aware instant."""
    return instante.astimezone(_BRASILIA).date()


@dataclass(frozen=True)
class Faixa:
    """The slice under reconciliation: one órgão or all, and a range of Brasília days (inclusive)."""

    orgao: str | None = None
    desde: date | None = None
    ate: date | None = None

    def contem(self, orgao: str, dia: date) -> bool:
        """Whether (orgao, dia) falls in the slice."""
        return (
            (self.orgao is None or orgao == self.orgao)
            and (self.desde is None or dia >= self.desde)
            and (self.ate is None or dia <= self.ate)
        )


@dataclass
class Linha:
    """The counts of one órgão on one day, stage by stage."""

    orgao: str
    dia: date
    recebidos: int = 0
    duplicados: int = 0
    rejeicoes: Counter[str] = field(default_factory=Counter)
    esperados: int = 0  # movimentos the public must see: valid, distinct, processo public in the end
    emitidos: int = 0  # distinct movimentos on the movimentos topic
    indexados: int = 0  # movimento documents in the index
    emails: int = 0  # e-mails the relay accepted about these movimentos


@dataclass(frozen=True, order=True)
class Divergencia:
    """One thing that should be and is not (or is and should not be), with where it belongs."""

    orgao: str
    dia: date
    tipo: str
    nup: str
    movimento: str  # the movimento id (orgao:id), empty for a processo-level mismatch


DESCRICOES = {
    "FALTA_NO_TOPICO": "evento público sem movimento no tópico de movimentos",
    "FALTA_NO_INDICE": "movimento público ausente do índice",
    "MOVIMENTO_SEM_EVENTO": "movimento no tópico sem evento válido recebido",
    "EMITIDO_FORA_DO_INDICE": "movimento de processo público no tópico e ausente do índice",
    "INDICE_SEM_MOVIMENTO": "documento no índice sem movimento no tópico",
    "INDICE_NAO_PUBLICO": "documento no índice de processo que não é público",
    "PROCESSO_FALTA_NO_INDICE": "processo público ausente do índice de processos",
    "PROCESSO_NAO_PUBLICO_NO_INDICE": "processo não público presente no índice de processos",
}
"""What each kind of mismatch means, in pt-BR."""


@dataclass
class Relatorio:
    """The outcome: one line per órgão×day, every mismatch, and what could not be attributed."""

    linhas: list[Linha]
    divergencias: list[Divergencia]
    processos_esperados: int = 0  # processos of the range public in the end
    processos_indexados: int = 0  # of those, public in the processos index
    emails_nao_atribuidos: int = 0  # sent e-mails about nothing in the range (or a cancelled subscription)
    alem_do_corte: int = 0  # movimentos and index documents of events published after the cut: not counted
    adiadas: int = 0  # mismatches of processos with events after the cut: not listed (in transit)
    atrasos: list[str] = field(default_factory=list)  # pt-BR: the consumers that had not reached the cut


@dataclass(frozen=True, slots=True)
class _Visto:
    impressao: bytes
    nup: str
    chave: Chave


class Conciliacao:
    """Accumulates the decoded records of each stage for a `Faixa`; `relatorio` compares them."""

    def __init__(self, faixa: Faixa, *, catalogo: Catalogo, restrito_publico: bool) -> None:
        self.faixa = faixa
        self.catalogo = catalogo
        self.restrito_publico = restrito_publico
        self._linhas: dict[Chave, Linha] = {}
        self._chaves: dict[Chave, Chave] = {}  # one tuple per key, shared by every entry that names it
        self._ultimo: dict[str, tuple[Ordem, NivelAcesso]] = {}  # nup -> its latest event's order, level
        self._eventos: dict[str, _Visto] = {}  # identity -> first event of the range
        self._emitidos: dict[str, tuple[str, Chave]] = {}  # movimento id -> nup, key
        self._nups_emitidos: set[str] = set()
        self._indexados: dict[str, tuple[str, Chave]] = {}
        self._processos_indexados: set[str] = set()
        self._inscricoes: dict[str, list[str]] = {}  # nup -> subscription keys
        self._esperadas: dict[str, Chave] | None = None  # Message-ID digest -> key of its movimento
        self._contadas: set[str] = set()  # the log is compacted: an outcome may be there twice
        self._nao_atribuidos = 0
        self._alem: set[str] = set()  # identities of the events published after the cut
        self._nups_alem: set[str] = set()  # their processos: not judged in this run

    def _linha(self, chave: Chave) -> Linha:
        linha = self._linhas.get(chave)
        if linha is None:
            linha = self._linhas[chave] = Linha(*chave)
        return linha

    def _chave(self, chave: Chave) -> Chave:
        return self._chaves.setdefault(chave, chave)

    def _origem(self, valor: bytes | None, escrito_em: datetime) -> Chave:
        """(orgao, day) of a raw event's bytes, read as far as they can be."""
        try:
            registro = self.catalogo.decode("evento", valor or b"")
        except (CodecError, ValueError, KeyError):
            registro = {}
        orgao, quando = registro.get("orgao"), registro.get("ocorrido_em")
        dia = dia_de_brasilia(quando if isinstance(quando, datetime) else escrito_em)
        return (orgao if isinstance(orgao, str) and orgao else ILEGIVEL, dia)

    def evento(self, valor: bytes | None, *, escrito_em: datetime) -> None:
        """One message of the raw topic, in topic order."""
        resultado = ler_evento(self.catalogo, valor)
        if not isinstance(resultado, Evento):
            chave = self._origem(valor, escrito_em)
            if self.faixa.contem(*chave):
                self._linha(chave).recebidos += 1
            return
        evento = resultado
        chave = (evento.orgao, dia_de_brasilia(evento.ocorrido_em))
        dentro = self.faixa.contem(*chave)
        if dentro:
            self._linha(chave).recebidos += 1
            visto = self._eventos.get(evento.chave_identidade)
            impressao = impressao_mensagem(self.catalogo, valor or b"", evento)
            if visto is not None:
                if visto.impressao == impressao:
                    self._linha(chave).duplicados += 1
                return  # a resend or a conflict: the first one stands, as in the streams
            self._eventos[evento.chave_identidade] = _Visto(
                impressao, sys.intern(evento.nup), self._chave(chave)
            )
        posicao = ordem(evento)
        atual = self._ultimo.get(evento.nup)
        if atual is None or posicao > atual[0]:
            self._ultimo[sys.intern(evento.nup)] = (posicao, evento.nivel_acesso)

    def alem_do_corte(self, valor: bytes | None) -> None:
        """One raw message published after the cut (read after every other source).

        It is not counted, and its processo is not judged in this run: the pipeline may already
        have changed it (a movimento emitted, a processo made public or not, which emits or
        withdraws its earlier movimentos), and the sources were read at different moments after the
        cut. A resend or a conflict changes nothing in the streams, so it changes nothing here.
        """
        resultado = ler_evento(self.catalogo, valor)
        if not isinstance(resultado, Evento):
            return
        identidade = resultado.chave_identidade
        if identidade in self._eventos or identidade in self._alem:
            return
        self._alem.add(identidade)
        self._nups_alem.add(sys.intern(resultado.nup))
        posicao = ordem(resultado)
        atual = self._ultimo.get(resultado.nup)
        if atual is None or posicao > atual[0]:
            self._ultimo[sys.intern(resultado.nup)] = (posicao, resultado.nivel_acesso)

    def dead_letter(self, registro: dict[str, Any], *, escrito_em: datetime) -> None:
        """One record of the raw events' DLQ."""
        chave = self._origem(registro.get("valor"), escrito_em)
        if self.faixa.contem(*chave):
            self._linha(chave).rejeicoes[str(registro["codigo"])] += 1

    def movimento(self, registro: dict[str, Any]) -> None:
        """One record of the movimentos topic."""
        chave = (str(registro["orgao"]), dia_de_brasilia(registro["ocorrido_em"]))
        if self.faixa.contem(*chave):
            self._emitidos[str(registro["id"])] = (sys.intern(str(registro["nup"])), self._chave(chave))
            self._nups_emitidos.add(str(registro["nup"]))

    def inscricao(self, chave_inscricao: str, nup: str) -> None:
        """One current subscription (key and NUP); only those of the range's processos are kept."""
        if nup in self._nups_emitidos:
            self._inscricoes.setdefault(nup, []).append(chave_inscricao)

    def _mensagens_esperadas(self) -> dict[str, Chave]:
        if self._esperadas is None:
            self._esperadas = {
                _resumo(message_id(mid, chave, "")): dono
                for mid, (nup, dono) in self._emitidos.items()
                for chave in self._inscricoes.get(nup, ())
            }
        return self._esperadas

    def enviada(self, message_id_: str, *, aceita: bool) -> None:
        """One outcome of the notifier's enviadas log (only e-mails the relay accepted count)."""
        if not aceita:
            return
        resumo = _resumo(message_id_)
        chave = self._mensagens_esperadas().get(resumo)
        if chave is None:
            self._nao_atribuidos += 1
        elif resumo not in self._contadas:
            self._contadas.add(resumo)
            self._linha(chave).emails += 1

    def contagem_indice(self, orgao: str, dia: date, documentos: int) -> None:
        """The index's count of movimento documents of one órgão on one day (an aggregation bucket)."""
        if self.faixa.contem(orgao, dia):
            self._linha((orgao, dia)).indexados += documentos

    def documento(self, doc_id: str, fonte: dict[str, Any]) -> None:
        """One movimento document of the index (its id and `nup`, `orgao`, `ocorrido_em`)."""
        chave = (str(fonte["orgao"]), dia_de_brasilia(datetime.fromisoformat(fonte["ocorrido_em"])))
        if self.faixa.contem(*chave):
            self._indexados[doc_id] = (sys.intern(str(fonte["nup"])), self._chave(chave))

    def processo_indexado(self, nup: str) -> None:
        """One public processo document of the index."""
        self._processos_indexados.add(nup)

    def publico(self, nup: str) -> bool:
        """Whether the processo is public in the end, by the streams' rule."""
        ultimo = self._ultimo.get(nup)
        return ultimo is not None and eh_publico(ultimo[1], restrito_publico=self.restrito_publico)

    def relatorio(self) -> Relatorio:
        """The lines and every mismatch of the range."""
        divergencias: list[Divergencia] = []

        adiadas = 0

        def divergir(tipo: str, nup: str, mid: str, chave: Chave) -> None:
            nonlocal adiadas
            if nup in self._nups_alem:
                adiadas += 1  # its processo moved after the cut: judged by a later run
            else:
                divergencias.append(Divergencia(chave[0], chave[1], tipo, nup, mid))

        nups: dict[str, Chave] = {}
        for mid, visto in self._eventos.items():
            nups.setdefault(visto.nup, visto.chave)
            if not self.publico(visto.nup):
                continue
            self._linha(visto.chave).esperados += 1
            if mid not in self._emitidos:
                divergir("FALTA_NO_TOPICO", visto.nup, mid, visto.chave)
            if mid not in self._indexados:
                divergir("FALTA_NO_INDICE", visto.nup, mid, visto.chave)
        alem = 0
        for mid, (nup, chave) in self._emitidos.items():
            if mid in self._alem:
                alem += 1
                continue
            self._linha(chave).emitidos += 1
            if mid not in self._eventos:
                divergir("MOVIMENTO_SEM_EVENTO", nup, mid, chave)
                if mid not in self._indexados and self.publico(nup):
                    divergir("EMITIDO_FORA_DO_INDICE", nup, mid, chave)
        for mid, (nup, chave) in self._indexados.items():
            if mid in self._alem:
                alem += 1
                self._linha(chave).indexados -= 1  # the index's aggregation counted it
                continue
            if mid not in self._emitidos:
                divergir("INDICE_SEM_MOVIMENTO", nup, mid, chave)
            if not self.publico(nup):
                divergir("INDICE_NAO_PUBLICO", nup, mid, chave)
        esperados = indexados = 0
        for nup, chave in nups.items():
            publico, no_indice = self.publico(nup), nup in self._processos_indexados
            esperados += publico
            indexados += publico and no_indice
            if publico and not no_indice:
                divergir("PROCESSO_FALTA_NO_INDICE", nup, "", chave)
            elif no_indice and not publico:
                divergir("PROCESSO_NAO_PUBLICO_NO_INDICE", nup, "", chave)
        return Relatorio(
            linhas=sorted(self._linhas.values(), key=lambda linha: (linha.orgao, linha.dia)),
            divergencias=sorted(divergencias),
            processos_esperados=esperados,
            processos_indexados=indexados,
            emails_nao_atribuidos=self._nao_atribuidos,
            alem_do_corte=alem,
            adiadas=adiadas,
        )


def _resumo(mid: str) -> str:
    """A Message-ID without its domain: the part that names the movimento and the subscription."""
    return mid.strip("<>").partition("@")[0]
