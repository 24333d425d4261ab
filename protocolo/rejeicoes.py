"""Dead letters as people may see them: code, reason, identity and where they came from. Pure.

A dead letter holds the original bytes of the message, and a raw event may carry a full CPF (an
interessado's document, or a CPF typed into the assunto). A `Rejeitado` keeps only what explains
the rejection: the code, the reason and the violations with every CPF masked, the event's
identity (orgao, id), NUP and operation when its bytes can be read, and the positions of the dead
letter and of the rejected message. Never the bytes.
"""

from __future__ import annotations

__all__ = ["Origem", "Rejeitado", "rejeitado_de"]

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from protocolo.avro import Catalogo
from protocolo.errors import CodecError, Violation
from protocolo.masking import mascarar_texto


@dataclass(frozen=True)
class Origem:
    """A message's place: topic, partition, offset."""

    topico: str
    particao: int
    offset: int

    def __str__(self) -> str:
        return f"{self.topico}/{self.particao}/{self.offset}"


@dataclass(frozen=True)
class Rejeitado:
    """One dead letter, masked: what an agency, an operator or a log may be shown."""

    codigo: str
    motivo: str
    violacoes: tuple[Violation, ...]
    registrado_em: datetime
    carta: Origem  # the dead letter itself, on its DLQ topic
    original: Origem  # the message it rejected
    orgao: str | None = None
    id: str | None = None
    nup: str | None = None
    operacao: str | None = None
    tem_original: bool = True  # the dead letter holds the original bytes


def _evento_legivel(catalogo: Catalogo, valor: bytes | None) -> dict[str, Any] | None:
    if not valor or catalogo.nome_escritor(valor) != "evento":
        return None
    try:
        return catalogo.decode("evento", valor)
    except CodecError:
        return None


def _texto(registro: dict[str, Any] | None, campo: str) -> str | None:
    valor = registro.get(campo) if registro else None
    return mascarar_texto(valor) if isinstance(valor, str) else None


def rejeitado_de(catalogo: Catalogo, registro: dict[str, Any], *, carta: Origem) -> Rejeitado:
    """The masked view of a decoded `dead_letter` record found at `carta`."""
    evento = _evento_legivel(catalogo, registro.get("valor"))
    return Rejeitado(
        codigo=registro["codigo"],
        motivo=mascarar_texto(registro["motivo"]),
        violacoes=tuple(
            Violation(v["campo"], mascarar_texto(v["motivo"])) for v in registro.get("violacoes") or ()
        ),
        registrado_em=registro["registrado_em"],
        carta=carta,
        original=Origem(registro["topico"], registro["particao"], registro["offset"]),
        orgao=_texto(evento, "orgao"),
        id=_texto(evento, "id"),
        nup=_texto(evento, "nup"),
        operacao=_texto(evento, "operacao"),
        tem_original=bool(registro.get("valor")),
    )
