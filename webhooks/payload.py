"""The webhook payload: a public movimento under a versioned JSON Schema. Pure.

The body follows Standard Webhooks' suggested shape (`type`, `timestamp`, `data`) and names its
schema version (`versao`; schemas/json/webhook-movimento.v1.json). `data` takes only the public
movimento's fields, listed here one by one, so a field a newer movimento schema adds never leaves
through webhooks until it is added to the payload schema. Free text is masked again for CPFs
(the streams already did): a payload never carries a full CPF.
"""

from __future__ import annotations

__all__ = ["TIPO", "VERSAO", "corpo_json", "payload_movimento"]

import json
from datetime import UTC, datetime
from typing import Any

from protocolo.errors import InvalidNup
from protocolo.masking import mascarar_texto
from protocolo.nup import parse_nup

TIPO = "tramitacao.movimento"
VERSAO = 1


def _data(valor: Any) -> str:
    if isinstance(valor, datetime):
        return valor.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(valor)


def _nup(digitos: str | None) -> str | None:
    if not digitos:
        return None
    try:
        return parse_nup(digitos).formatado
    except InvalidNup:
        return digitos


def _texto(valor: str | None) -> str | None:
    return mascarar_texto(valor) if valor else valor


def _unidade(unidade: dict[str, Any] | None) -> dict[str, Any] | None:
    if not unidade:
        return None
    return {"codigo": unidade["codigo"], "sigla": unidade.get("sigla"), "nome": unidade.get("nome")}


def payload_movimento(movimento: dict[str, Any]) -> dict[str, Any]:
    """The payload of one public movimento (a `movimento` Avro record)."""
    return {
        "type": TIPO,
        "versao": VERSAO,
        "timestamp": _data(movimento["ocorrido_em"]),
        "data": {
            "id": movimento["id"],
            "nup": _nup(movimento["nup"]),
            "orgao": movimento["orgao"],
            "orgao_nome": movimento.get("orgao_nome"),
            "tipo": movimento["tipo"],
            "operacao": movimento["operacao"],
            "ocorrido_em": _data(movimento["ocorrido_em"]),
            "unidade_origem": _unidade(movimento.get("unidade_origem")),
            "unidade_destino": _unidade(movimento.get("unidade_destino")),
            "observacao": _texto(movimento.get("observacao")),
            "nup_relacionado": _nup(movimento.get("nup_relacionado")),
            "assunto": _texto(movimento.get("assunto")),
        },
    }


def corpo_json(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent and signed (UTF-8 JSON, compact, keys sorted)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
