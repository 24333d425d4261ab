"""A processo's current state as a pure fold over its events.

The fold sorts events by ocorrido_em (ties: autuação, envio, recebimento, then the rest by
orgao and id, "9" before "10") before applying them, so the same set of
events in any arrival order, with any repeats, gives the same state. `versao` counts distinct
events: it grows with every change and is the same when a crashed worker replays them.

ANEXACAO on NUP X with nup_relacionado P means X was anexado to the principal P.
"""

from __future__ import annotations

__all__ = ["Processo", "Situacao", "avancar", "fold_processo", "ordenar_eventos"]

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

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


@dataclass(frozen=True)
class Processo:
    """The current state of one processo (or documento), derived from its events."""

    nup: str
    tipo: TipoProtocolo
    orgao: str
    orgao_atual: str
    nivel_acesso: NivelAcesso
    situacao: Situacao
    versao: int
    autuado_em: datetime
    atualizado_em: datetime
    ultima_operacao: Operacao
    historico: tuple[Evento, ...]
    especie: str | None = None
    assunto: str | None = None
    interessados: tuple[Interessado, ...] = ()
    localizacao: Unidade | None = None
    em_transito: bool = False
    anexado_a: str | None = None
    relacionados: tuple[str, ...] = ()
    documentos: tuple[str, ...] = ()


# Within the same instant (systems often record minutes only), causes come before effects.
_PRECEDENCIA = {Operacao.AUTUACAO: 0, Operacao.ENVIO: 1, Operacao.RECEBIMENTO: 2}


def _chave_ordem(evento: Evento) -> tuple[object, ...]:
    """Timeline order; total for distinct identities, since (orgao, id) is the identity."""
    precedencia = _PRECEDENCIA.get(evento.operacao, 3)
    return (evento.ocorrido_em, precedencia, evento.orgao, len(evento.id), evento.id)


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
    return sorted(unicos.values(), key=_chave_ordem)


def fold_processo(eventos: Iterable[Evento]) -> Processo:
    """Fold a processo's events into its state; raises ValueError for no events or mixed NUPs."""
    todos = list(eventos)
    if not todos:
        raise ValueError("no events to fold")
    if len({e.nup for e in todos}) != 1:  # before deduplication, which could hide another NUP's event
        raise ValueError("events of different NUPs cannot be folded together")
    linha = ordenar_eventos(todos)
    primeiro = linha[0]
    estado = Processo(
        nup=primeiro.nup,
        tipo=primeiro.tipo,
        orgao=primeiro.orgao,
        orgao_atual=primeiro.orgao,
        nivel_acesso=primeiro.nivel_acesso,
        situacao=Situacao.EM_TRAMITACAO,
        versao=len(linha),
        autuado_em=primeiro.ocorrido_em,
        atualizado_em=primeiro.ocorrido_em,
        ultima_operacao=primeiro.operacao,
        historico=tuple(linha),
    )
    for evento in linha:
        estado = _aplicar(estado, evento)
    return estado


def avancar(estado: Processo | None, evento: Evento) -> Processo:
    """The state after one more event: `fold_processo` of the previous events plus `evento`.

    An event that is already in the historico changes nothing. One that sorts after the last is
    applied on top (the common case, O(1) in the events); an older one (out of order) refolds all.
    """
    if estado is None:
        return fold_processo([evento])
    if evento.nup != estado.nup:
        raise ValueError("events of different NUPs cannot be folded together")
    if any(e.identidade == evento.identidade for e in estado.historico):
        return fold_processo((*estado.historico, evento))
    if _chave_ordem(evento) > _chave_ordem(estado.historico[-1]):
        seguinte = _aplicar(estado, evento)
        return replace(seguinte, versao=estado.versao + 1, historico=(*estado.historico, evento))
    return fold_processo((*estado.historico, evento))


def _aplicar(estado: Processo, evento: Evento) -> Processo:
    mudancas: dict[str, object] = {
        "tipo": evento.tipo,
        "nivel_acesso": evento.nivel_acesso,
        "atualizado_em": evento.ocorrido_em,
        "ultima_operacao": evento.operacao,
        "orgao_atual": evento.orgao,
    }
    if evento.operacao is Operacao.AUTUACAO:
        mudancas["autuado_em"] = evento.ocorrido_em
        mudancas["orgao"] = evento.orgao
    if evento.especie:
        mudancas["especie"] = evento.especie
    if evento.assunto:
        mudancas["assunto"] = evento.assunto
    if evento.interessados:
        mudancas["interessados"] = _unir_interessados(estado.interessados, evento.interessados)
    if evento.operacao in _SITUACAO_APOS:
        mudancas["situacao"] = _SITUACAO_APOS[evento.operacao]
    if evento.operacao is Operacao.ENVIO:
        mudancas["localizacao"] = evento.unidade_destino
        mudancas["em_transito"] = True
    elif evento.operacao is Operacao.RECEBIMENTO:
        mudancas["localizacao"] = evento.unidade_destino
        mudancas["em_transito"] = False
    elif evento.operacao is Operacao.AUTUACAO:
        mudancas["localizacao"] = evento.unidade_origem
        mudancas["em_transito"] = False
    elif estado.localizacao is None and (evento.unidade_destino or evento.unidade_origem):
        mudancas["localizacao"] = evento.unidade_destino or evento.unidade_origem
    relacionado = evento.nup_relacionado
    if evento.operacao is Operacao.ANEXACAO:
        mudancas["anexado_a"] = relacionado
    elif evento.operacao is Operacao.DESANEXACAO:
        mudancas["anexado_a"] = None
    elif evento.operacao is Operacao.RELACIONAMENTO and relacionado not in estado.relacionados:
        mudancas["relacionados"] = (*estado.relacionados, relacionado)
    elif evento.operacao is Operacao.JUNTADA and relacionado not in estado.documentos:
        mudancas["documentos"] = (*estado.documentos, relacionado)
    return replace(estado, **mudancas)  # type: ignore[arg-type]


def _unir_interessados(
    atuais: tuple[Interessado, ...], novos: tuple[Interessado, ...]
) -> tuple[Interessado, ...]:
    vistos = {i.documento or i.nome.casefold() for i in atuais}
    unidos = list(atuais)
    for interessado in novos:
        chave = interessado.documento or interessado.nome.casefold()
        if chave not in vistos:
            vistos.add(chave)
            unidos.append(interessado)
    return tuple(unidos)
