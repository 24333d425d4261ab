"""Converters between domain objects and the Avro records of schemas/avro. Pure.

An `evento` record is the event's JSON form with a real timestamp, so both share one converter.
"""

from __future__ import annotations

__all__ = [
    "credencial_from_avro",
    "credencial_to_avro",
    "dead_letter_record",
    "evento_avro_to_json",
    "evento_json_to_avro",
    "evento_mensagem",
    "evento_to_avro",
    "orgao_from_avro",
    "orgao_to_avro",
    "unidade_to_avro",
]

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from protocolo.avro import Catalogo
from protocolo.credenciais import Credencial
from protocolo.errors import Violation
from protocolo.model import Evento
from protocolo.referencia import Orgao, UnidadeRef
from protocolo.validation import CAMPOS, evento_to_json
from protocolo.validation import unidade_to_json as unidade_to_avro


def evento_to_avro(evento: Evento) -> dict[str, Any]:
    """An Evento as an `evento` Avro record."""
    return {**evento_to_json(evento), "ocorrido_em": evento.ocorrido_em}


def evento_mensagem(catalogo: Catalogo, evento: Evento) -> tuple[bytes, bytes]:
    """The raw-topic message of an event: key = NUP digits (one processo, one partition), Avro value."""
    return evento.nup.encode(), catalogo.encode("evento", evento_to_avro(evento))


def evento_json_to_avro(dados: dict[str, Any]) -> dict[str, Any]:
    """An agency's JSON as an `evento` record without judging it (the streams will): ValueError when the
    wire format cannot carry it at all (no timestamp with a zone, a field of the wrong shape)."""
    ocorrido = dados.get("ocorrido_em")
    quando = datetime.fromisoformat(ocorrido.replace("Z", "+00:00")) if isinstance(ocorrido, str) else None
    if quando is None or quando.tzinfo is None:
        raise ValueError("ocorrido_em sem data e fuso horário não cabe no formato Avro do evento")
    return {**{campo: dados.get(campo) for campo in CAMPOS}, "ocorrido_em": quando}


def evento_avro_to_json(registro: dict[str, Any]) -> dict[str, Any]:
    """An `evento` Avro record in the agencies' JSON form, unchecked: evento_from_json judges it."""
    ocorrido = registro.get("ocorrido_em")
    # Only the fields of the contract: a field a newer schema adds is ignored until the domain knows it.
    return {
        **{campo: valor for campo, valor in registro.items() if campo in CAMPOS},
        "ocorrido_em": ocorrido.astimezone(UTC).isoformat() if isinstance(ocorrido, datetime) else ocorrido,
    }


def dead_letter_record(
    *,
    codigo: str,
    motivo: str,
    violacoes: Sequence[Violation] = (),
    topico: str,
    particao: int,
    offset: int,
    chave: bytes | None,
    valor: bytes | None,
    registrado_em: datetime | None = None,
) -> dict[str, Any]:
    """The `dead_letter` record: original bytes, where they came from, and why they were rejected."""
    return {
        "codigo": codigo,
        "motivo": motivo,
        "violacoes": [{"campo": v.campo, "motivo": v.motivo} for v in violacoes],
        "topico": topico,
        "particao": particao,
        "offset": offset,
        "chave": chave,
        "valor": valor,
        "registrado_em": registrado_em or datetime.now(UTC),
    }


def orgao_to_avro(orgao: Orgao, *, agora: datetime | None = None) -> dict[str, Any]:
    """An órgão of the reference data as an `orgao` Avro record."""
    return {
        "codigo": orgao.codigo,
        "sigla": orgao.sigla,
        "nome": orgao.nome,
        "unidades": [
            {"codigo": u.codigo, "sigla": u.sigla, "nome": u.nome, "superior": u.superior}
            for u in orgao.unidades
        ],
        "atualizado_em": agora or datetime.now(UTC),
    }


def orgao_from_avro(registro: dict[str, Any]) -> Orgao:
    """An `orgao` Avro record as reference data."""
    unidades = tuple(
        UnidadeRef(u["codigo"], u["sigla"], u["nome"], u.get("superior")) for u in registro["unidades"]
    )
    return Orgao(registro["codigo"], registro["sigla"], registro["nome"], unidades)


def credencial_to_avro(credencial: Credencial) -> dict[str, Any]:
    """An agency credential as a `credencial` Avro record."""
    return {
        "id": credencial.id,
        "orgao": credencial.orgao,
        "hash": credencial.hash,
        "descricao": credencial.descricao,
        "criada_em": credencial.criada_em,
        "revogada_em": credencial.revogada_em,
    }


def credencial_from_avro(registro: dict[str, Any]) -> Credencial:
    """A `credencial` Avro record as a Credencial."""
    return Credencial(
        id=registro["id"],
        orgao=registro["orgao"],
        hash=registro["hash"],
        criada_em=registro["criada_em"],
        descricao=registro.get("descricao"),
        revogada_em=registro.get("revogada_em"),
    )
