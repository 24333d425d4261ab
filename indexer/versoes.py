"""Versioned indices behind aliases, for a reindex: new names, the swap, the leftovers. Pure.

A reindex builds one new physical index per family (`<alias>-v<mapping version>-<UTC stamp>`, inside
the family's template pattern `<alias>-v*`, so it gets the current template), then moves each alias
to it in one `_aliases` request: every remove and add of both families applies at once, so a search
sees either the old indices or the new ones, never a family without an index. The indices no alias
points to any more stay until an operator removes them (`sem_alias`).
"""

from __future__ import annotations

__all__ = ["acoes_da_troca", "nome_novo", "sem_alias"]

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any


def nome_novo(alias: str, *, versao: int, agora: datetime) -> str:
    """The physical name of a new index of the family behind `alias` (sorts by creation time)."""
    return f"{alias}-v{versao}-{agora:%Y%m%d%H%M%S}"


def acoes_da_troca(novos: Mapping[str, str], atuais: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """The actions of one `_aliases` request that point each alias (key of `novos`) at its new index.

    `atuais`: alias -> the indices it points to now (none when the alias does not exist yet). The
    new index becomes the alias's write index, so the live indexer writes there from the swap on.
    """
    acoes: list[dict[str, Any]] = []
    for alias, novo in sorted(novos.items()):
        acoes += [
            {"remove": {"index": i, "alias": alias}} for i in sorted(atuais.get(alias, ())) if i != novo
        ]
        acoes.append({"add": {"index": novo, "alias": alias, "is_write_index": True}})
    return acoes


def sem_alias(aliases_por_indice: Mapping[str, Sequence[str]], aliases: Sequence[str]) -> list[str]:
    """The indices of the families behind `aliases` that no alias points to, sorted.

    `aliases_por_indice`: physical index -> the aliases it has (the server's `GET <pattern>/_alias`).
    Only indices named `<alias>-v…` of one of the families count: nothing else on the server is ours.
    """
    prefixos = tuple(f"{a}-v" for a in aliases)
    return sorted(i for i, seus in aliases_por_indice.items() if i.startswith(prefixos) and not seus)
