"""A processo's current state as a pure fold over its events, of bounded size whatever its history.

The state holds no history. Each aspect of a processo is a register or a set that merges by
construction, whatever the arrival order:
  last-writer-wins registers    the latest event (tipo, órgão atual, nível de acesso, última
                                operação, atualizado_em), the latest autuação, situação, espécie,
                                assunto, localização and anexação, each ordered by `ordem`
  first-writer-wins register    the earliest event (órgão and date when no autuação was seen)
  sets, truncated by `ordem`    interessados, relacionados, documentos and unidades (the first
                                ones seen in the timeline), the days with a movement and the
                                observações (the most recent ones)
A truncated set keeps the K smallest (or largest) entries by `ordem`, and an entry's `ordem` only
ever decreases (increases): an entry once left out can never belong back, so truncation commutes
with merging too.

`ordem` is the timeline order: ocorrido_em, then autuação, envio, recebimento, then the rest, then
orgao and id ("9" before "10"). It is total for distinct identities, since (orgao, id) is the
identity. `versao` counts the distinct events folded in: `avancar` trusts its caller to hand it
each identity once (the streams deduplicate by identity first); `fold_processo` deduplicates
itself. A late event lands in its place and never moves the processo back in time.

ANEXACAO on NUP X with nup_relacionado P means X was anexado to the principal P.
"""

from __future__ import annotations

__all__ = [
    "LIMITES",
    "Limites",
    "Ordem",
    "Processo",
    "Situacao",
    "avancar",
    "fold_processo",
    "ordem",
    "ordenar_eventos",
]

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade


class Situacao(StrEnum):
    """Where a processo stands."""

    EM_TRAMITACAO = "EM_TRAMITACAO"
    CONCLUIDO = "CONCLUIDO"
    ARQUIVADO = "ARQUIVADO"
    SOBRESTADO = "SOBRESTADO"
    ANEXADO = "ANEXADO"

    @property
    def descricao(self) -> str:
        """The pt-BR label citizens read."""
        return {
            "EM_TRAMITACAO": "Em tramitação",
            "CONCLUIDO": "Concluído",
            "ARQUIVADO": "Arquivado",
            "SOBRESTADO": "Sobrestado",
            "ANEXADO": "Anexado a outro processo",
        }[self.value]


_SITUACAO_APOS: dict[Operacao, Situacao] = {
    Operacao.AUTUACAO: Situacao.EM_TRAMITACAO,
    Operacao.CONCLUSAO: Situacao.CONCLUIDO,
    Operacao.REABERTURA: Situacao.EM_TRAMITACAO,
    Operacao.ARQUIVAMENTO: Situacao.ARQUIVADO,
    Operacao.DESARQUIVAMENTO: Situacao.EM_TRAMITACAO,
    Operacao.SOBRESTAMENTO: Situacao.SOBRESTADO,
    Operacao.REMOCAO_SOBRESTAMENTO: Situacao.EM_TRAMITACAO,
    Operacao.ANEXACAO: Situacao.ANEXADO,
    Operacao.DESANEXACAO: Situacao.EM_TRAMITACAO,
}
# Operations that say where the processo is: (unit field, in transit afterwards).
_LOCALIZA: dict[Operacao, tuple[str, bool]] = {
    Operacao.AUTUACAO: ("unidade_origem", False),
    Operacao.ENVIO: ("unidade_destino", True),
    Operacao.RECEBIMENTO: ("unidade_destino", False),
}
# Within the same instant (systems often record minutes only), causes come before effects.
_PRECEDENCIA = {Operacao.AUTUACAO: 0, Operacao.ENVIO: 1, Operacao.RECEBIMENTO: 2}
_EPOCA = datetime(1970, 1, 1, tzinfo=UTC)
_BRASILIA = ZoneInfo("America/Sao_Paulo")

# (microseconds since the epoch, precedence, orgao, len(id), id): JSON-friendly and totally ordered.
Ordem = tuple[int, int, str, int, str]


def ordem(evento: Evento) -> Ordem:
    """The event's place in the timeline; total for distinct identities."""
    micros = (evento.ocorrido_em - _EPOCA) // timedelta(microseconds=1)
    return (micros, _PRECEDENCIA.get(evento.operacao, 3), evento.orgao, len(evento.id), evento.id)


@dataclass(frozen=True)
class Limites:
    """How many entries each truncated set keeps."""

    interessados: int = 200
    relacionados: int = 500
    documentos: int = 1000
    unidades: int = 200
    dias: int = 1000
    observacoes: int = 20


LIMITES = Limites()


@dataclass(frozen=True)
class Processo:
    """The current state of one processo (or documento), of bounded size.

    Each register is (ordem, value) of the event that won it. Truncated sets are tuples sorted by
    ordem (ascending), already cut to their limits.
    """

    nup: str
    versao: int
    primeiro: tuple[Ordem, str, datetime]  # earliest event: (ordem, orgao, ocorrido_em)
    ultimo: tuple[Ordem, TipoProtocolo, str, NivelAcesso, datetime, Operacao]  # latest event
    autuacao: tuple[Ordem, str, datetime] | None = None  # latest autuação: (ordem, orgao, ocorrido_em)
    situacao_reg: tuple[Ordem, Situacao] | None = None
    especie_reg: tuple[Ordem, str] | None = None
    assunto_reg: tuple[Ordem, str] | None = None
    # latest AUTUACAO/ENVIO/RECEBIMENTO: (ordem, unit, in transit)
    local_reg: tuple[Ordem, Unidade | None, bool] | None = None
    # earliest other event naming a unit, where the processo is while no such operation was seen
    local_fraco: tuple[Ordem, Unidade] | None = None
    anexacao_reg: tuple[Ordem, str | None] | None = None
    # ((ordem, position in its event), key, interessado): the agency's order within one event
    interessados_reg: tuple[tuple[tuple[Ordem, int], str, Interessado], ...] = ()
    relacionados_reg: tuple[tuple[Ordem, str], ...] = ()
    documentos_reg: tuple[tuple[Ordem, str], ...] = ()
    unidades_reg: tuple[tuple[tuple[Ordem, int], Unidade], ...] = ()  # origem before destino
    dias: tuple[int, ...] = ()  # proleptic ordinals of Brasília days with a movement, ascending
    observacoes_reg: tuple[tuple[Ordem, str], ...] = ()

    @property
    def tipo(self) -> TipoProtocolo:
        """What the latest event says the NUP identifies."""
        return self.ultimo[1]

    @property
    def orgao(self) -> str:
        """The órgão that autuou (the latest autuação's), else the earliest event's."""
        return self.autuacao[1] if self.autuacao else self.primeiro[1]

    @property
    def orgao_atual(self) -> str:
        """The órgão of the latest event."""
        return self.ultimo[2]

    @property
    def nivel_acesso(self) -> NivelAcesso:
        """The access level of the latest event."""
        return self.ultimo[3]

    @property
    def atualizado_em(self) -> datetime:
        """When the latest event happened."""
        return self.ultimo[4]

    @property
    def ultima_operacao(self) -> Operacao:
        """The latest event's operation."""
        return self.ultimo[5]

    @property
    def autuado_em(self) -> datetime:
        """The latest autuação's date, else the earliest event's."""
        return self.autuacao[2] if self.autuacao else self.primeiro[2]

    @property
    def situacao(self) -> Situacao:
        """Set by the latest operation that changes it."""
        return self.situacao_reg[1] if self.situacao_reg else Situacao.EM_TRAMITACAO

    @property
    def especie(self) -> str | None:
        """The latest espécie an event gave."""
        return self.especie_reg[1] if self.especie_reg else None

    @property
    def assunto(self) -> str | None:
        """The latest assunto an event gave."""
        return self.assunto_reg[1] if self.assunto_reg else None

    @property
    def localizacao(self) -> Unidade | None:
        """Where the latest autuação, envio or recebimento put it; else the first unit named."""
        if self.local_reg is not None:
            return self.local_reg[1]
        return self.local_fraco[1] if self.local_fraco else None

    @property
    def em_transito(self) -> bool:
        """Sent and not yet received."""
        return self.local_reg[2] if self.local_reg else False

    @property
    def anexado_a(self) -> str | None:
        """The principal it is anexado to, by the latest anexação or desanexação."""
        return self.anexacao_reg[1] if self.anexacao_reg else None

    @property
    def interessados(self) -> tuple[Interessado, ...]:
        """Distinct interessados (by documento, else name), in order of first appearance."""
        return tuple(i for _, _, i in self.interessados_reg)

    @property
    def relacionados(self) -> tuple[str, ...]:
        """NUPs related to this one, in order of first appearance."""
        return tuple(n for _, n in self.relacionados_reg)

    @property
    def documentos(self) -> tuple[str, ...]:
        """Documentos juntados, in order of first appearance."""
        return tuple(n for _, n in self.documentos_reg)

    @property
    def unidades(self) -> tuple[Unidade, ...]:
        """Unidades the processo passed through, in order of first appearance."""
        return tuple(u for _, u in self.unidades_reg)

    @property
    def dias_movimentados(self) -> tuple[date, ...]:
        """Brasília days with at least one movement (the most recent ones), ascending."""
        return tuple(date.fromordinal(d) for d in self.dias)

    @property
    def observacoes(self) -> tuple[str, ...]:
        """The most recent observações, oldest first."""
        return tuple(o for _, o in self.observacoes_reg)


def ordenar_eventos(eventos: Iterable[Evento]) -> list[Evento]:
    """Distinct events (by identity) in timeline order; deterministic whatever the input order.

    Two events with one identity and different content (a conflict the streams keep out of the
    fold) resolve to the one with the smallest repr, so even then the input order does not matter.
    """
    unicos: dict[tuple[str, str], Evento] = {}
    for evento in eventos:
        anterior = unicos.setdefault(evento.identidade, evento)
        if anterior is not evento and anterior != evento and repr(evento) < repr(anterior):
            unicos[evento.identidade] = evento
    return sorted(unicos.values(), key=ordem)


def fold_processo(eventos: Iterable[Evento], limites: Limites = LIMITES) -> Processo:
    """Fold a processo's events into its state; raises ValueError for no events or mixed NUPs."""
    todos = list(eventos)
    if not todos:
        raise ValueError("no events to fold")
    if len({e.nup for e in todos}) != 1:  # before deduplication, which could hide another NUP's event
        raise ValueError("events of different NUPs cannot be folded together")
    estado: Processo | None = None
    for evento in ordenar_eventos(todos):
        estado = avancar(estado, evento, limites)
    assert estado is not None
    return estado


def avancar(estado: Processo | None, evento: Evento, limites: Limites = LIMITES) -> Processo:
    """The state after one more distinct event, wherever it falls in the timeline. O(1) in history.

    The caller hands each identity in once: `versao` counts what it is given.
    """
    o = ordem(evento)
    if estado is None:
        estado = Processo(
            nup=evento.nup,
            versao=0,
            primeiro=(o, evento.orgao, evento.ocorrido_em),
            ultimo=(o, evento.tipo, evento.orgao, evento.nivel_acesso, evento.ocorrido_em, evento.operacao),
        )
    elif evento.nup != estado.nup:
        raise ValueError("events of different NUPs cannot be folded together")
    op = evento.operacao
    mudancas: dict[str, object] = {"versao": estado.versao + 1}
    if o < estado.primeiro[0]:
        mudancas["primeiro"] = (o, evento.orgao, evento.ocorrido_em)
    if o > estado.ultimo[0]:
        mudancas["ultimo"] = (o, evento.tipo, evento.orgao, evento.nivel_acesso, evento.ocorrido_em, op)
    if op is Operacao.AUTUACAO:
        mudancas["autuacao"] = _maior(estado.autuacao, (o, evento.orgao, evento.ocorrido_em))
    if op in _SITUACAO_APOS:
        mudancas["situacao_reg"] = _maior(estado.situacao_reg, (o, _SITUACAO_APOS[op]))
    if evento.especie:
        mudancas["especie_reg"] = _maior(estado.especie_reg, (o, evento.especie))
    if evento.assunto:
        mudancas["assunto_reg"] = _maior(estado.assunto_reg, (o, evento.assunto))
    if op in _LOCALIZA:
        campo, transito = _LOCALIZA[op]
        mudancas["local_reg"] = _maior(estado.local_reg, (o, getattr(evento, campo), transito))
    else:
        unidade = evento.unidade_destino or evento.unidade_origem
        if unidade is not None:
            mudancas["local_fraco"] = _menor(estado.local_fraco, (o, unidade))
    relacionado = evento.nup_relacionado
    if op is Operacao.ANEXACAO or op is Operacao.DESANEXACAO:
        alvo = relacionado if op is Operacao.ANEXACAO else None
        mudancas["anexacao_reg"] = _maior(estado.anexacao_reg, (o, alvo))
    elif op is Operacao.RELACIONAMENTO and relacionado:
        mudancas["relacionados_reg"] = _primeiros(
            estado.relacionados_reg, [(o, relacionado)], lambda e: e[1], limites.relacionados
        )
    elif op is Operacao.JUNTADA and relacionado:
        mudancas["documentos_reg"] = _primeiros(
            estado.documentos_reg, [(o, relacionado)], lambda e: e[1], limites.documentos
        )
    if evento.interessados:
        novos = [((o, n), i.documento or i.nome.casefold(), i) for n, i in enumerate(evento.interessados)]
        mudancas["interessados_reg"] = _primeiros(
            estado.interessados_reg, novos, lambda e: e[1], limites.interessados
        )
    unidades = [((o, n), u) for n, u in enumerate((evento.unidade_origem, evento.unidade_destino)) if u]
    if unidades:
        mudancas["unidades_reg"] = _primeiros(
            estado.unidades_reg, unidades, lambda e: e[1].codigo, limites.unidades
        )
    dia = evento.ocorrido_em.astimezone(_BRASILIA).date().toordinal()
    if dia not in estado.dias:
        mudancas["dias"] = tuple(sorted((*estado.dias, dia))[-limites.dias :])
    if evento.observacao:
        observacoes = sorted((*estado.observacoes_reg, (o, evento.observacao)))
        mudancas["observacoes_reg"] = tuple(observacoes[-limites.observacoes :])
    return replace(estado, **mudancas)  # type: ignore[arg-type]


_R = TypeVar("_R", bound=tuple[Any, ...])


def _maior(atual: _R | None, novo: _R) -> _R:
    """Last writer wins: the register whose ordem (first item) is greater."""
    return novo if atual is None or novo[0] > atual[0] else atual


def _menor(atual: _R | None, novo: _R) -> _R:
    """First writer wins: the register whose ordem (first item) is smaller."""
    return novo if atual is None or novo[0] < atual[0] else atual


def _primeiros(
    atuais: tuple[_R, ...], novos: list[_R], chave: Callable[[_R], Hashable], limite: int
) -> tuple[_R, ...]:
    """A set of entries (ordem first) by `chave`, each at its smallest ordem, the `limite` first."""
    por_chave = {chave(e): e for e in atuais}
    mudou = False
    for entrada in novos:
        k = chave(entrada)
        atual = por_chave.get(k)
        if atual is None or entrada[0] < atual[0]:
            por_chave[k] = entrada
            mudou = True
    if not mudou:
        return atuais
    return tuple(sorted(por_chave.values(), key=lambda e: e[0])[:limite])
