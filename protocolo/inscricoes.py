"""E-mail subscriptions as a small state machine, their Avro records and their key. Pure.

A subscription lives on the compacted inscricoes topic under the keyed hash of nup + e-mail; its
latest record is its state:

    (none) --ask--> PENDENTE --confirm link--> CONFIRMADA --unsubscribe--> CANCELADA
                       ^                           |
                       +---ask again---------------+-- relay refuses `devolucoes_max` times --> DEVOLVENDO

Only CONFIRMADA subscriptions are mailed movements. Asking again for a CANCELADA or DEVOLVENDO
subscription starts over at PENDENTE (a new confirmation e-mail); asking again for a PENDENTE one
within the resend window, or for a CONFIRMADA one, changes nothing.

The API writes the inscricoes topic; DEVOLVENDO is the notifier's, on a topic of its own: a
Devolucao names the record it judged (its `atualizada_em`), and `com_devolucao` folds the two. A
mark for an older record is ignored, so a cancel or a new request the API wrote meanwhile always
wins, in whatever order the two topics are read (docs/topicos.md).
"""

from __future__ import annotations

__all__ = [
    "Devolucao",
    "EstadoInscricao",
    "Inscricao",
    "chave_atual",
    "chave_inscricao",
    "chaves_possiveis",
    "com_devolucao",
    "confirmar",
    "devolucao_from_avro",
    "devolucao_to_avro",
    "inscricao_from_avro",
    "inscricao_to_avro",
    "marcar_devolucao",
    "normalizar_operacoes",
    "pedido_devido",
    "pedir",
    "rechavear",
    "verificar_confirmacao",
]

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from protocolo.chaveiro import Chaveiro, Segredo, bytes_de, rotular, separar
from protocolo.model import Operacao


class EstadoInscricao(StrEnum):
    """Where a subscription stands."""

    PENDENTE = "PENDENTE"
    CONFIRMADA = "CONFIRMADA"
    CANCELADA = "CANCELADA"
    DEVOLVENDO = "DEVOLVENDO"


def chave_inscricao(segredo: Segredo, nup: str, email: str) -> str:
    """Keyed hash of (nup digits, e-mail), `<key id>-<hex>`: the subscription's key, which reveals neither."""
    digest = hmac.new(
        bytes_de(segredo), f"{nup}\n{email.strip().lower()}".encode(), hashlib.sha256
    ).hexdigest()
    return rotular(segredo, digest)


def chaves_possiveis(chaveiro: Chaveiro, nup: str, email: str) -> list[str]:
    """Every key a subscription to `nup` by `email` may be stored under: the current key's first.

    One per key of the ring, and the id-less one of `k0` (made before key rotation).
    """
    return [chave_inscricao(segredo, nup, email) for segredo in chaveiro.segredos_possiveis()]


def chave_atual(chaveiro: Chaveiro, chave: str) -> bool:
    """Whether a subscription key was made with the ring's current key (else `rekey` moves it)."""
    return separar(chave)[0] == chaveiro.atual.id


def rechavear(inscricao: Inscricao, chaveiro: Chaveiro) -> Inscricao | None:
    """The subscription as it stands, under the key the current secret gives it; None if already there.

    The record keeps its state (DEVOLVENDO included, read from the notifier's mark) and its dates.
    """
    if chave_atual(chaveiro, inscricao.chave):
        return None
    return replace(inscricao, chave=chave_inscricao(chaveiro.atual, inscricao.nup, inscricao.email))


def normalizar_operacoes(operacoes: Iterable[str] | None) -> frozenset[str] | None:
    """Operation names as Operacao values; None or empty = every operation. ValueError names the bad one."""
    if operacoes is None:
        return None
    nomes = set()
    for nome in operacoes:
        texto = nome.strip().upper()
        try:
            nomes.add(Operacao(texto).value)
        except ValueError as exc:
            raise ValueError(f"operação desconhecida: {nome}") from exc
    return frozenset(nomes) or None


@dataclass(frozen=True)
class Inscricao:
    """One subscription: key, processo, address, state and operation filter."""

    chave: str
    nup: str
    email: str
    estado: EstadoInscricao
    criada_em: datetime
    operacoes: frozenset[str] | None = None
    solicitada_em: datetime | None = None
    atualizada_em: datetime | None = None

    @property
    def ativa(self) -> bool:
        """Receives movements."""
        return self.estado is EstadoInscricao.CONFIRMADA

    def recebe(self, operacao: str) -> bool:
        """Mailed about a movement of this operation."""
        return self.ativa and (self.operacoes is None or operacao in self.operacoes)

    def com_estado(self, estado: EstadoInscricao, agora: datetime) -> Inscricao:
        """The same subscription moved to `estado` at `agora`."""
        return replace(self, estado=estado, atualizada_em=agora)


def inscricao_to_avro(inscricao: Inscricao) -> dict[str, Any]:
    """An Inscricao as an `inscricao` record (the key travels as the message key)."""
    return {
        "nup": inscricao.nup,
        "email": inscricao.email,
        "criada_em": inscricao.criada_em,
        "estado": inscricao.estado.value,
        "operacoes": sorted(inscricao.operacoes) if inscricao.operacoes is not None else None,
        "solicitada_em": inscricao.solicitada_em,
        "atualizada_em": inscricao.atualizada_em,
    }


def inscricao_from_avro(chave: str, registro: dict[str, Any]) -> Inscricao:
    """An `inscricao` record of any version; v1 (no estado) was active at once, so it reads CONFIRMADA."""
    operacoes = registro.get("operacoes")
    return Inscricao(
        chave=chave,
        nup=registro["nup"],
        email=registro["email"],
        estado=EstadoInscricao(registro.get("estado") or EstadoInscricao.CONFIRMADA),
        criada_em=registro["criada_em"],
        operacoes=frozenset(operacoes) if operacoes is not None else None,
        solicitada_em=registro.get("solicitada_em"),
        atualizada_em=registro.get("atualizada_em"),
    )


def pedir(
    existente: Inscricao | None,
    *,
    chave: str,
    nup: str,
    email: str,
    operacoes: frozenset[str] | None,
    agora: datetime,
    reenvio: timedelta,
) -> Inscricao | None:
    """The record a subscription request writes, or None when it must change nothing.

    A confirmed subscription stays as it is (a stranger must not change someone's filter); a pending
    one is asked again (a new confirmation e-mail) only once its resend window has passed.
    """
    if existente is not None and not pedido_devido(
        existente.estado, existente.solicitada_em or existente.criada_em, agora=agora, reenvio=reenvio
    ):
        return None
    return Inscricao(
        chave=chave,
        nup=nup,
        email=email.strip().lower(),
        estado=EstadoInscricao.PENDENTE,
        criada_em=agora,
        operacoes=operacoes,
        solicitada_em=agora,
        atualizada_em=agora,
    )


def pedido_devido(
    estado: EstadoInscricao, pedido_em: datetime, *, agora: datetime, reenvio: timedelta
) -> bool:
    """A new request for an existing subscription (or alert) in `estado`, asked at `pedido_em`, is written.

    Not for a confirmed one (a stranger must not change it), nor for a pending one inside its
    resend window; a cancelled or bouncing one starts over.
    """
    if estado is EstadoInscricao.CONFIRMADA:
        return False
    return not (estado is EstadoInscricao.PENDENTE and agora - pedido_em < reenvio)


def verificar_confirmacao(estado: EstadoInscricao | None) -> bool:
    """Whether a valid confirmation link must write CONFIRMADA (False: already confirmed).

    Raises ValueError when the subscription (or alert) is no longer pending (cancelled, bouncing, unknown).
    """
    if estado not in (EstadoInscricao.PENDENTE, EstadoInscricao.CONFIRMADA):
        raise ValueError("inscrição não está pendente")
    return estado is EstadoInscricao.PENDENTE


def confirmar(existente: Inscricao | None, agora: datetime) -> Inscricao | None:
    """The CONFIRMADA record a valid confirmation link writes; None when there is nothing to write.

    Raises ValueError when the subscription is no longer pending (cancelled, bouncing or unknown).
    """
    if not verificar_confirmacao(existente.estado if existente else None):
        return None
    assert existente is not None
    return existente.com_estado(EstadoInscricao.CONFIRMADA, agora)


@dataclass(frozen=True)
class Devolucao:
    """The notifier's mark: the relay refused this subscription too often since the record it names."""

    chave: str
    inscricao_atualizada_em: datetime | None
    recusas: int
    marcada_em: datetime


def _ms(instante: datetime | None) -> datetime | None:
    """An instant at the topics' precision (Avro timestamp-millis)."""
    return None if instante is None else instante.replace(microsecond=instante.microsecond // 1000 * 1000)


def marcar_devolucao(inscricao: Inscricao, *, recusas: int, agora: datetime) -> Devolucao:
    """The mark that makes this very subscription record bounce."""
    return Devolucao(inscricao.chave, inscricao.atualizada_em, recusas, agora)


def com_devolucao(inscricao: Inscricao | None, devolucao: Devolucao | None) -> Inscricao | None:
    """The subscription as it stands: DEVOLVENDO when the mark names its current record, else as it is."""
    if inscricao is None or devolucao is None or inscricao.estado is EstadoInscricao.DEVOLVENDO:
        return inscricao
    if _ms(devolucao.inscricao_atualizada_em) != _ms(inscricao.atualizada_em):
        return inscricao  # the API wrote a newer record since the notifier judged this one
    return inscricao.com_estado(EstadoInscricao.DEVOLVENDO, devolucao.marcada_em)


def devolucao_to_avro(devolucao: Devolucao) -> dict[str, Any]:
    """A Devolucao as a `devolucao` record (the key travels as the message key)."""
    return {
        "inscricao_atualizada_em": devolucao.inscricao_atualizada_em,
        "recusas": devolucao.recusas,
        "marcada_em": devolucao.marcada_em,
    }


def devolucao_from_avro(chave: str, registro: dict[str, Any]) -> Devolucao:
    """A `devolucao` record."""
    return Devolucao(
        chave, registro.get("inscricao_atualizada_em"), registro["recusas"], registro["marcada_em"]
    )
