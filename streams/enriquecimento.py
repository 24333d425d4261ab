"""Enrichment from reference data: órgão and unidade names. Pure.

An unknown code is never a failure: the event keeps what the agency sent, and the code is listed
as unknown so operators can complete the reference data (logged, counted).
"""

from __future__ import annotations

__all__ = ["Enriquecedor"]

from dataclasses import dataclass, field
from typing import Any

from protocolo.model import Unidade
from protocolo.referencia import Referencia, UnidadeRef


@dataclass
class Enriquecedor:
    """Looks names up in one reference view and remembers which codes it did not know."""

    referencia: Referencia
    desconhecidos: set[str] = field(default_factory=set)

    def nome_orgao(self, codigo: str) -> str | None:
        """The órgão's name, or None (and `orgao:<codigo>` noted) when the reference lacks it."""
        orgao = self.referencia.orgao(codigo)
        if orgao is None:
            self.desconhecidos.add(f"orgao:{codigo}")
            return None
        return orgao.nome

    def unidade(self, orgao: str, unidade: Unidade | None) -> dict[str, Any] | None:
        """The unidade record; sigla and nome the agency left out come from the reference.

        The agency's own text wins: it is the unit's name when the movement happened, while the
        reference holds today's (units get renamed).
        """
        if unidade is None:
            return None
        ref: UnidadeRef | None = self.referencia.unidade(orgao, unidade.codigo)
        if ref is None:
            ref = self.referencia.unidade_de_qualquer_orgao(unidade.codigo)
        if ref is None:
            self.desconhecidos.add(f"unidade:{orgao}/{unidade.codigo}")
            return {"codigo": unidade.codigo, "sigla": unidade.sigla, "nome": unidade.nome}
        return {
            "codigo": unidade.codigo,
            "sigla": unidade.sigla or ref.sigla,
            "nome": unidade.nome or ref.nome,
        }
