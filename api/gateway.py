"""What the HTTP gateway does with an agency's batch before anything is produced. Pure.

Each item is judged on its own: valid (to be produced), a repeat of an event already published
through this process (`publicados`, see api.gateway_memoria) or of an earlier item of the batch
(`duplicado`, not produced), the same id with other content (rejected), or rejected with every
violation. Items naming another órgão make the whole batch forbidden: an agency publishes only its
own events.

Content is compared as the streams compare it (protocolo.impressao): the Avro body of the event
as the raw topic carries it, whose `ocorrido_em` is a UTC instant in milliseconds. So the same
instant written with another offset is a repeat, not a conflict.
"""

from __future__ import annotations

__all__ = ["Avaliacao", "Proibido", "ResultadoItem", "Status", "avaliar_lote"]


from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from protocolo.errors import InvalidEvent, Violation
from protocolo.impressao import impressao
from protocolo.model import Evento
from protocolo.validation import evento_from_json

CONFLITO_NO_LOTE = "repetido no lote com conteúdo diferente"
CONFLITO_PUBLICADO = (
    "já publicado com conteúdo diferente; um evento publicado não muda: "
    "registre a correção como um novo evento, com outro id"
)


class Status(StrEnum):
    """The outcome of one item of a batch."""

    ACEITO = "aceito"
    DUPLICADO = "duplicado"
    REJEITADO = "rejeitado"


@dataclass(frozen=True)
class ResultadoItem:
    """One item's outcome; `evento` and its digest `impressao` are set for the items to produce."""

    indice: int
    id: str | None
    status: Status
    violacoes: tuple[Violation, ...] = ()
    evento: Evento | None = None
    impressao: bytes | None = None


@dataclass(frozen=True)
class Proibido:
    """An item whose órgão is not the agency's."""

    indice: int
    id: str | None
    orgao: str


@dataclass
class Avaliacao:
    """The judgement of a whole batch."""

    resultados: list[ResultadoItem] = field(default_factory=list)
    proibidos: list[Proibido] = field(default_factory=list)

    @property
    def a_produzir(self) -> list[Evento]:
        """Accepted events, in batch order, each once."""
        return [evento for evento, _ in self._aceitos()]

    @property
    def a_registrar(self) -> list[tuple[str, bytes]]:
        """(identity, digest) of the accepted events: what to remember once the broker acknowledged them."""
        return [(evento.chave_identidade, digest) for evento, digest in self._aceitos()]

    def _aceitos(self) -> list[tuple[Evento, bytes]]:
        return [
            (r.evento, r.impressao)
            for r in self.resultados
            if r.status is Status.ACEITO and r.evento is not None and r.impressao is not None
        ]


def _texto(item: Any, campo: str) -> str | None:
    valor = item.get(campo) if isinstance(item, dict) else None
    return valor.strip() if isinstance(valor, str) else None


def _nada_publicado(_chave: str) -> bytes | None:
    return None


def avaliar_lote(
    itens: Sequence[Any],
    *,
    orgao: str,
    agora: datetime | None = None,
    publicados: Callable[[str], bytes | None] = _nada_publicado,
) -> Avaliacao:
    """Judge a batch published by the agency `orgao`.

    Args:
        publicados: the digest of an already published event by its identity (`orgao:id`), or None.
    """
    avaliacao = Avaliacao()
    vistos: dict[str, bytes] = {}
    for indice, item in enumerate(itens):
        id_ = _texto(item, "id")
        orgao_item = _texto(item, "orgao")
        if orgao_item and orgao_item != orgao:
            avaliacao.proibidos.append(Proibido(indice, id_, orgao_item))
            continue
        try:
            evento = evento_from_json(item, agora=agora)
        except InvalidEvent as exc:
            avaliacao.resultados.append(ResultadoItem(indice, id_, Status.REJEITADO, tuple(exc.violations)))
            continue
        digest = impressao(evento)
        chave = evento.chave_identidade
        anterior, conflito = publicados(chave), CONFLITO_PUBLICADO
        if anterior is None:
            anterior, conflito = vistos.get(chave), CONFLITO_NO_LOTE
        if anterior is None:
            vistos[chave] = digest
            avaliacao.resultados.append(
                ResultadoItem(indice, evento.id, Status.ACEITO, evento=evento, impressao=digest)
            )
        elif anterior == digest:
            avaliacao.resultados.append(ResultadoItem(indice, evento.id, Status.DUPLICADO))
        else:
            violacao = Violation("id", conflito)
            avaliacao.resultados.append(ResultadoItem(indice, evento.id, Status.REJEITADO, (violacao,)))
    return avaliacao
