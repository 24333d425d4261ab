"""Batch planning: which e-mails one batch of records asks for, minus what was already sent. Pure.

A batch mixes movimentos (mail each confirmed subscriber of the NUP that wants the operation) and
inscricoes records (mail a confirmation for each PENDENTE request still pending and not expired).
A Message-ID already in enviadas, or already planned in this batch, is not planned again.

The notifier's shell (notifier/loop.py) performs the plan: `itens_do_lote` decodes the consumed
messages, `planejar_lote` says which e-mails to send, and once the relay has answered
`planejar_devolucoes` says which subscriptions bounced too often and stop being mailed.
"""

from __future__ import annotations

__all__ = ["Envio", "ItemLote", "Redator", "itens_do_lote", "planejar_devolucoes", "planejar_lote"]

import logging
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Literal

from notifier.messages import Inscrito, render_confirmacao, render_email
from notifier.subscriptions import Inscricoes
from protocolo.avro import Catalogo
from protocolo.chaveiro import Segredo
from protocolo.entrada import Entrada
from protocolo.errors import CodecError
from protocolo.inscricoes import Devolucao, EstadoInscricao, Inscricao, inscricao_from_avro, marcar_devolucao
from protocolo.links_inscricao import AcaoLink, assinar_link, url_link

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envio:
    """One e-mail to send, and the subscription it belongs to (bounces are counted against it)."""

    message_id: str
    chave: str
    mensagem: EmailMessage


@dataclass(frozen=True)
class ItemLote:
    """One decoded record of the batch: a movimento, or an inscricao (record None = tombstone)."""

    tipo: Literal["movimento", "inscricao"]
    registro: dict[str, Any] | None
    chave: str = ""


@dataclass(frozen=True)
class Redator:
    """Renders the e-mails with signed links: what it needs from settings, nothing else."""

    remetente: str
    base_url: str
    segredo: Segredo
    validade: timedelta

    def link_cancelar(self, chave: str) -> str:
        """The lasting one-click unsubscribe URL of a subscription."""
        return url_link(self.base_url, assinar_link(self.segredo, AcaoLink.CANCELAR, chave, None))

    def movimento(self, movimento: dict[str, Any], inscrito: Inscrito) -> EmailMessage:
        """The movement e-mail, with List-Unsubscribe."""
        return render_email(
            movimento,
            inscrito,
            remetente=self.remetente,
            base_url=self.base_url,
            link_cancelar=self.link_cancelar(inscrito.chave),
        )

    def expira_em(self, inscricao: Inscricao) -> datetime:
        """When the confirmation link of this request stops working."""
        return (inscricao.solicitada_em or inscricao.criada_em) + self.validade

    def confirmacao(self, inscricao: Inscricao) -> EmailMessage:
        """The double opt-in e-mail of a pending request."""
        expira = self.expira_em(inscricao)
        token = assinar_link(self.segredo, AcaoLink.CONFIRMAR, inscricao.chave, expira)
        return render_confirmacao(
            Inscrito(inscricao.chave, inscricao.nup, inscricao.email),
            solicitada_em=inscricao.solicitada_em or inscricao.criada_em,
            expira_em=expira,
            operacoes=inscricao.operacoes,
            remetente=self.remetente,
            base_url=self.base_url,
            link_confirmar=url_link(self.base_url, token),
            link_cancelar=self.link_cancelar(inscricao.chave),
        )


def itens_do_lote(
    entradas: Sequence[Entrada], *, catalogo: Catalogo, topico_movimentos: str
) -> list[ItemLote]:
    """The batch's messages decoded: movimentos from `topico_movimentos`, inscricoes from the other.

    A message that does not decode is logged and skipped (the batch goes on).
    """
    itens = []
    for entrada in entradas:
        tipo: Literal["movimento", "inscricao"] = (
            "movimento" if entrada.topico == topico_movimentos else "inscricao"
        )
        try:
            registro = catalogo.decode(tipo, entrada.valor) if entrada.valor else None
        except CodecError as exc:
            logger.error("bad record topic=%s offset=%s error=%s", entrada.topico, entrada.offset, exc)
            continue
        itens.append(ItemLote(tipo, registro, (entrada.chave or b"").decode()))
    return itens


def _confirmacao_devida(
    pedido: Inscricao, atual: Inscricao | None, agora: datetime, redator: Redator
) -> bool:
    if pedido.estado is not EstadoInscricao.PENDENTE or redator.expira_em(pedido) <= agora:
        return False
    # Replayed after the subscriber confirmed, cancelled or asked again: that request is over.
    # (No current state at all: the live view has not read it yet; the record itself decides.)
    return atual is None or (
        atual.estado is EstadoInscricao.PENDENTE and atual.solicitada_em == pedido.solicitada_em
    )


def planejar_lote(
    itens: Sequence[ItemLote],
    inscricoes: Inscricoes,
    enviados: Container[str],
    redator: Redator,
    agora: datetime,
) -> list[Envio]:
    """The e-mails this batch needs, in batch order, each Message-ID at most once."""
    envios: list[Envio] = []
    planejados: set[str] = set()

    def _planejar(chave: str, mensagem: EmailMessage) -> None:
        mid = str(mensagem["Message-ID"])
        if mid not in planejados and mid not in enviados:
            planejados.add(mid)
            envios.append(Envio(mid, chave, mensagem))

    for item in itens:
        if item.registro is None:
            continue
        if item.tipo == "movimento":
            movimento = item.registro
            for inscrito in inscricoes.do_processo(movimento["nup"], movimento["operacao"]):
                _planejar(inscrito.chave, redator.movimento(movimento, inscrito))
        else:
            pedido = inscricao_from_avro(item.chave, item.registro)
            if _confirmacao_devida(pedido, inscricoes.buscar(item.chave), agora, redator):
                _planejar(pedido.chave, redator.confirmacao(pedido))
    return envios


def planejar_devolucoes(
    recusadas: Iterable[str],
    inscricoes: Inscricoes,
    recusas: Callable[[str, datetime | None], int],
    *,
    devolucoes_max: int,
    agora: datetime,
) -> list[Devolucao]:
    """The bounce marks of subscriptions refused `devolucoes_max` times since their last change.

    `recusadas` holds the keys the relay refused in this batch; `recusas(chave, desde)` counts a
    subscription's permanent refusals since `desde` (enviadas). Unknown and already bouncing
    subscriptions are left as they are. Each mark names the record it judged, so a newer record
    of the API wins over it.
    """
    marcas = []
    for chave in sorted(set(recusadas)):
        inscricao = inscricoes.buscar(chave)
        if inscricao is None or inscricao.estado is EstadoInscricao.DEVOLVENDO:
            continue
        contadas = recusas(chave, inscricao.atualizada_em)
        if contadas >= devolucoes_max:
            marcas.append(marcar_devolucao(inscricao, recusas=contadas, agora=agora))
    return marcas
