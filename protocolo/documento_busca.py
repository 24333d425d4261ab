"""The search document of a processo snapshot, as the index holds it. Pure.

The indexer writes it to the `processos` index and the alert matcher (protocolo/alertas) reads
the same fields, so a saved search and the search API see one document.
"""

from __future__ import annotations

__all__ = ["documento_processo", "iso"]

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from protocolo.nup import parse_nup

_BRASILIA = ZoneInfo("America/Sao_Paulo")


def iso(valor: Any) -> Any:
    """A datetime as ISO 8601, anything else as it is."""
    return valor.isoformat() if isinstance(valor, datetime) else valor


def _unidade_texto(unidade: dict[str, Any] | None) -> list[str]:
    if not unidade:
        return []
    return [v for v in (unidade.get("sigla"), unidade.get("nome")) if v]


def _meio_dia(dia: date) -> str:
    """Noon of a Brasília day, with that day's offset: inside any range of whole Brasília days."""
    return datetime(dia.year, dia.month, dia.day, 12, tzinfo=_BRASILIA).isoformat()


def _formatado(nup: str) -> str:
    try:
        return parse_nup(nup).formatado
    except ValueError:
        return nup


def documento_processo(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The `processos` document of a snapshot (a tombstone when it is not public)."""
    if not snapshot["publico"]:
        return {"nup": snapshot["nup"], "versao": snapshot["versao"], "publico": False}
    unidades = sorted({t for u in snapshot.get("unidades") or () for t in _unidade_texto(u)})
    autuado_em = snapshot.get("autuado_em")
    documento = {
        **snapshot,
        "nup_formatado": _formatado(snapshot["nup"]),
        "autuado_em": iso(autuado_em),
        "atualizado_em": iso(snapshot["atualizado_em"]),
        "unidades_texto": unidades,
        # The year citizens see: Avro gives UTC, and 31/12 at 22:00 in Brasília is already January in UTC.
        "ano": autuado_em.astimezone(_BRASILIA).year if autuado_em else None,
        # The `orgao` filter and facet: the órgão that autuou or the one that has it now.
        "orgaos": sorted({o for o in (snapshot.get("orgao"), snapshot.get("orgao_atual")) if o}),
        # The Brasília days with a movement, for "moved in this period" (partial dates, desde/ate).
        "movimentado_em": [_meio_dia(d) for d in sorted(set(snapshot.get("dias_movimentados") or ()))],
        "observacoes": list(snapshot.get("observacoes_recentes") or ()),
    }
    # The snapshot's bounded lists become the search fields above; the timeline is the movimentos index.
    for campo in ("unidades", "dias_movimentados", "observacoes_recentes", "historico"):
        documento.pop(campo, None)
    return documento
