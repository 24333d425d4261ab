"""The payload: the public movimento under the published JSON Schema, CPFs masked, nothing extra."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from webhooks.payload import corpo_json, payload_movimento

ESQUEMA = json.loads(
    (Path(__file__).resolve().parents[3] / "schemas" / "json" / "webhook-movimento.v1.json").read_text()
)
VALIDADOR = jsonschema_rs.validator_for(ESQUEMA)


def _movimento(**campos: Any) -> dict[str, Any]:
    return {
        "id": "26000:SEI-1",
        "nup": "23037001462202165",
        "orgao": "26000",
        "orgao_nome": "Ministério da Educação",
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "ocorrido_em": datetime(2024, 5, 2, 13, 0, tzinfo=UTC),
        "unidade_origem": {"codigo": "110", "sigla": "PROT", "nome": "Protocolo Central"},
        "unidade_destino": None,
        "observacao": None,
        "nup_relacionado": None,
        "assunto": None,
        "processo_versao": 3,
    } | campos


def test_a_movimento_payload_validates_against_the_published_schema() -> None:
    payload = payload_movimento(_movimento())

    VALIDADOR.validate(payload)
    assert payload["type"] == "tramitacao.movimento" and payload["versao"] == 1
    assert payload["data"]["nup"] == "23037.001462/2021-65"
    assert payload["data"]["ocorrido_em"] == "2024-05-02T13:00:00Z"


def test_fields_outside_the_schema_never_leave() -> None:
    payload = payload_movimento(_movimento(interessados=[{"documento": "52998224725"}], nivel_acesso="X"))

    VALIDADOR.validate(payload)
    assert "interessados" not in payload["data"] and "processo_versao" not in payload["data"]


def test_a_full_cpf_in_free_text_is_masked_again() -> None:
    payload = payload_movimento(
        _movimento(observacao="Requerente CPF 529.982.247-25", assunto="de 52998224725")
    )

    assert payload["data"]["observacao"] == "Requerente CPF ***.982.247-**"
    assert "52998224725" not in corpo_json(payload).decode()


def test_the_schema_refuses_what_the_payload_must_not_be() -> None:
    payload = payload_movimento(_movimento())
    payload["data"]["cpf"] = "52998224725"
    with pytest.raises(jsonschema_rs.ValidationError):
        VALIDADOR.validate(payload)


def test_the_body_is_compact_utf8_json_with_sorted_keys() -> None:
    corpo = corpo_json(payload_movimento(_movimento(orgao_nome="Educação")))
    assert "Educação".encode() in corpo and b": " not in corpo
    assert corpo == corpo_json(json.loads(corpo))
