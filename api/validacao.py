"""Request validation errors in pt-BR, one line per bad parameter ("campo: motivo"). Pure.

Pydantic's own checks (a text too long, a number out of range) get a fixed pt-BR reason; a rule
of ours raises `regra_invalida(motivo)`, whose message is already the whole line. The input is
never repeated, so a CPF typed in the wrong place never comes back in an error.
"""

from __future__ import annotations

__all__ = ["REGRA", "mensagem_de_erro", "regra_invalida"]

from collections.abc import Mapping
from typing import Any

from pydantic_core import PydanticCustomError

REGRA = "regra_invalida"  # the error type of our own rules: its message is the line to show

_MOTIVOS = {
    "missing": "campo obrigatório ausente",
    "string_too_long": "texto longo demais",
    "int_parsing": "deve ser um número inteiro",
    "greater_than_equal": "valor pequeno demais",
    "less_than_equal": "valor grande demais",
    "json_invalid": "JSON inválido",
    "model_attributes_type": "o corpo deve ser um objeto JSON",
    "string_type": "deve ser texto",
}


def regra_invalida(motivo: str) -> PydanticCustomError:
    """The validation error of one of our rules; `motivo` is the whole pt-BR line ("campo: motivo")."""
    return PydanticCustomError(REGRA, "{motivo}", {"motivo": motivo})


def mensagem_de_erro(erro: Mapping[str, Any]) -> str:
    """One validation error (pydantic's or FastAPI's dict) as "campo: motivo" in pt-BR."""
    if erro.get("type") == REGRA:
        return str(erro.get("msg", ""))
    local = ".".join(str(p) for p in erro.get("loc", ()) if p not in ("body", "query", "path"))
    tipo = str(erro.get("type", ""))
    return f"{local or 'requisição'}: {_MOTIVOS.get(tipo, 'valor inválido')}"
