"""Converters between domain objects and the Avro records of schemas/avro. Pure."""

from __future__ import annotations

__all__ = ["evento_avro_to_json", "evento_to_avro", "unidade_from_avro", "unidade_to_avro"]

from datetime import UTC, datetime
from typing import Any

from protocolo.model import Evento, Unidade
from protocolo.validation import CAMPOS


def unidade_to_avro(unidade: Unidade | None) -> dict[str, Any] | None:
    """A Unidade as an Avro record (or None)."""
    if unidade is None:
        return None
    return {"codigo": unidade.codigo, "sigla": unidade.sigla, "nome": unidade.nome}


def unidade_from_avro(registro: dict[str, Any] | None) -> Unidade | None:
    """A Unidade from its Avro record (or None)."""
    if registro is None:
        return None
    return Unidade(codigo=registro["codigo"], sigla=registro.get("sigla"), nome=registro.get("nome"))


def evento_to_avro(evento: Evento) -> dict[str, Any]:
    """An Evento as an `evento` Avro record."""
    return {
        "id": evento.id,
        "orgao": evento.orgao,
        "nup": evento.nup,
        "tipo": evento.tipo.value,
        "operacao": evento.operacao.value,
        "ocorrido_em": evento.ocorrido_em,
        "nivel_acesso": evento.nivel_acesso.value,
        "unidade_origem": unidade_to_avro(evento.unidade_origem),
        "unidade_destino": unidade_to_avro(evento.unidade_destino),
        "especie": evento.especie,
        "assunto": evento.assunto,
        "interessados": [{"nome": i.nome, "documento": i.documento} for i in evento.interessados],
        "observacao": evento.observacao,
        "nup_relacionado": evento.nup_relacionado,
    }


def evento_avro_to_json(registro: dict[str, Any]) -> dict[str, Any]:
    """An `evento` Avro record in the agencies' JSON form, unchecked: evento_from_json judges it."""
    ocorrido = registro.get("ocorrido_em")
    # Only the fields of the contract: a field a newer schema adds is ignored until the domain knows it.
    return {
        **{campo: valor for campo, valor in registro.items() if campo in CAMPOS},
        "ocorrido_em": ocorrido.astimezone(UTC).isoformat() if isinstance(ocorrido, datetime) else ocorrido,
    }
