"""A saved search, normalised: what an alert matches, in a form the matcher reads without a parser. Pure.

The API reads a search (free text and the Consulta Avançada filters) exactly as GET
/api/v1/processos does and writes the outcome here: the free text as groups of terms (all groups
must match; within a group any term), the filters as values. Periods are instants (ISO 8601),
a CPF or CNPJ only its keyed hash. `canonica` is the text the alert's key is computed from, so
the same search asked twice by the same address is one alert.
"""

from __future__ import annotations

__all__ = ["ConsultaAlerta", "Frequencia", "Termo", "TipoTermo", "consulta_de_json"]

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Frequencia(StrEnum):
    """How often an alert is mailed: every novelty at once, or one digest a day or a week."""

    IMEDIATO = "imediato"
    DIARIO = "diario"
    SEMANAL = "semanal"


class TipoTermo(StrEnum):
    """What one term of the free text is (api/busca/texto.py reads the box into these)."""

    PALAVRA = "palavra"
    FRASE = "frase"
    DATA = "data"
    NUP = "nup"
    DOCUMENTO = "documento"
    IMPOSSIVEL = "impossivel"


@dataclass(frozen=True)
class Termo:
    """One term: a word or phrase (`texto`), a period (`texto` and `inicio`..`fim`), a NUP's digits
    or a documento's keyed hash (`valor`), or a term that can match nothing."""

    tipo: TipoTermo
    texto: str = ""
    valor: str = ""
    inicio: str | None = None
    fim: str | None = None


@dataclass(frozen=True)
class ConsultaAlerta:
    """A search as its alert matches it; `documento_hash` never the number itself."""

    grupos: tuple[tuple[Termo, ...], ...] = ()
    interessado: tuple[str, ...] = ()
    assunto: tuple[str, ...] = ()
    nup: str | None = None
    orgao: str | None = None
    tipo: str | None = None
    situacao: str | None = None
    ano: int | None = None
    documento_hash: str | None = field(default=None, repr=False)
    campo_data: str = "movimentacao"
    desde: str | None = None
    ate: str | None = None

    @property
    def segue_documento(self) -> bool:
        """It matches a CPF or CNPJ by keyed hash: it can match only what was hashed with its key."""
        return self.documento_hash is not None or any(
            t.tipo is TipoTermo.DOCUMENTO for grupo in self.grupos for t in grupo
        )

    def canonica(self) -> str:
        """The search as canonical JSON: equal searches give equal text."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _termo(dados: dict[str, Any]) -> Termo:
    return Termo(
        tipo=TipoTermo(dados["tipo"]),
        texto=dados.get("texto", ""),
        valor=dados.get("valor", ""),
        inicio=dados.get("inicio"),
        fim=dados.get("fim"),
    )


def consulta_de_json(texto: str) -> ConsultaAlerta:
    """The search `ConsultaAlerta.canonica` wrote."""
    dados = json.loads(texto)
    return ConsultaAlerta(
        grupos=tuple(tuple(_termo(t) for t in grupo) for grupo in dados.get("grupos", ())),
        interessado=tuple(dados.get("interessado", ())),
        assunto=tuple(dados.get("assunto", ())),
        nup=dados.get("nup"),
        orgao=dados.get("orgao"),
        tipo=dados.get("tipo"),
        situacao=dados.get("situacao"),
        ano=dados.get("ano"),
        documento_hash=dados.get("documento_hash"),
        campo_data=dados.get("campo_data", "movimentacao"),
        desde=dados.get("desde"),
        ate=dados.get("ate"),
    )
