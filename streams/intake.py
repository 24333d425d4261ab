"""Intake: decode and validate a raw message, and the dead letter of one that fails. Pure."""

from __future__ import annotations

__all__ = ["Rejeicao", "dead_letter", "decodificar_evento", "ler_evento"]

from dataclasses import dataclass, field
from typing import Any

from protocolo.avro import Catalogo
from protocolo.errors import CorruptMessage, InvalidEvent, UnknownSchema, Violation
from protocolo.model import Evento
from protocolo.registros import dead_letter_record, evento_avro_to_json
from protocolo.validation import evento_from_json


@dataclass(frozen=True)
class Rejeicao:
    """Why a message goes to the dead-letter topic."""

    codigo: str
    motivo: str
    violacoes: list[Violation] = field(default_factory=list)


def decodificar_evento(catalogo: Catalogo, valor: bytes | None) -> dict[str, Any] | Rejeicao:
    """A raw message as an `evento` record, not yet judged, or why it cannot be read at all.

    The one decoder of the raw topic: the streams and `protocolo replay` read it the same way.
    """
    if not valor:
        return Rejeicao("MENSAGEM_CORROMPIDA", "mensagem vazia")
    try:
        return catalogo.decode("evento", valor)
    except UnknownSchema as exc:
        return Rejeicao("ESQUEMA_DESCONHECIDO", str(exc))
    except CorruptMessage as exc:
        return Rejeicao("MENSAGEM_CORROMPIDA", str(exc))


def ler_evento(catalogo: Catalogo, valor: bytes | None) -> Evento | Rejeicao:
    """Decode a raw message and run the domain validator on it (agencies may bypass our library)."""
    registro = decodificar_evento(catalogo, valor)
    if isinstance(registro, Rejeicao):
        return registro
    bruto = evento_avro_to_json(registro)
    try:
        return evento_from_json(bruto)
    except InvalidEvent as exc:
        return Rejeicao("EVENTO_INVALIDO", f"evento inválido: {exc}", list(exc.violations))


def dead_letter(
    rejeicao: Rejeicao, *, topico: str, particao: int, offset: int, chave: bytes | None, valor: bytes | None
) -> dict[str, Any]:
    """The `dead_letter` record of a rejected message."""
    return dead_letter_record(
        codigo=rejeicao.codigo,
        motivo=rejeicao.motivo,
        violacoes=rejeicao.violacoes,
        topico=topico,
        particao=particao,
        offset=offset,
        chave=chave,
        valor=valor,
    )
