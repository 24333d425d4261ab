"""The processo state as the streams' table stores it: compact JSON bytes, bounded in size. Pure.

Beside the processo, the value holds `offsets`: per source topic, the offset of the last message
folded into it. A replayed message (a worker died before committing) is then recognised as already
applied or not, whichever of the worker's tables its crash left written (streams.lote).

Datetimes travel as microseconds since the epoch (UTC), units and interessados as short lists.
`FORMATO` names the layout: a state written by another layout is refused, never misread.
"""

from __future__ import annotations

__all__ = ["FORMATO", "estado_de_bytes", "estado_para_bytes"]

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from protocolo.fold import Ordem, Processo, Situacao
from protocolo.model import Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade

FORMATO = 2
_EPOCA = datetime(1970, 1, 1, tzinfo=UTC)


def _instante(micros: int) -> datetime:
    return _EPOCA + timedelta(microseconds=micros)


def _micros(instante: datetime) -> int:
    return (instante - _EPOCA) // timedelta(microseconds=1)


def _unidade(u: Unidade | None) -> list[str | None] | None:
    return None if u is None else [u.codigo, u.sigla, u.nome]


def _de_unidade(d: list[Any] | None) -> Unidade | None:
    return None if d is None else Unidade(d[0], d[1], d[2])


def _ordem(d: list[Any]) -> Ordem:
    return (d[0], d[1], d[2], d[3], d[4])


def estado_para_bytes(p: Processo, offsets: dict[str, int]) -> bytes:
    """The state in the table's format."""
    d: dict[str, Any] = {
        "f": FORMATO,
        "of": offsets,
        "n": p.nup,
        "v": p.versao,
        "p": [p.primeiro[0], p.primeiro[1], _micros(p.primeiro[2])],
        "u": [
            p.ultimo[0],
            p.ultimo[1].value,
            p.ultimo[2],
            p.ultimo[3].value,
            _micros(p.ultimo[4]),
            p.ultimo[5].value,
        ],
    }
    if p.autuacao:
        d["a"] = [p.autuacao[0], p.autuacao[1], _micros(p.autuacao[2])]
    if p.situacao_reg:
        d["s"] = [p.situacao_reg[0], p.situacao_reg[1].value]
    if p.especie_reg:
        d["e"] = list(p.especie_reg)
    if p.assunto_reg:
        d["as"] = list(p.assunto_reg)
    if p.local_reg:
        d["l"] = [p.local_reg[0], _unidade(p.local_reg[1]), p.local_reg[2]]
    if p.local_fraco:
        d["lf"] = [p.local_fraco[0], _unidade(p.local_fraco[1])]
    if p.anexacao_reg:
        d["x"] = list(p.anexacao_reg)
    if p.interessados_reg:
        # The key (documento, else the folded name) is derived again on reading.
        d["i"] = [[o, n, i.nome, i.documento] for (o, n), _k, i in p.interessados_reg]
    if p.relacionados_reg:
        d["r"] = [list(e) for e in p.relacionados_reg]
    if p.documentos_reg:
        d["d"] = [list(e) for e in p.documentos_reg]
    if p.unidades_reg:
        d["un"] = [[o, n, _unidade(u)] for (o, n), u in p.unidades_reg]
    if p.dias:
        d["dm"] = list(p.dias)
    if p.observacoes_reg:
        d["o"] = [list(e) for e in p.observacoes_reg]
    return orjson.dumps(d)  # compact UTF-8 JSON, as json.dumps(separators=(",", ":")) wrote it


def estado_de_bytes(dados: bytes) -> tuple[Processo, dict[str, int]]:
    """Read a state written by `estado_para_bytes`; ValueError for anything else."""
    try:
        d = orjson.loads(dados)
    except orjson.JSONDecodeError as exc:  # a ValueError
        raise ValueError(f"processo state is not JSON: {exc}") from exc
    if not isinstance(d, dict) or d.get("f") != FORMATO:
        raise ValueError(f"processo state in an unknown format: {str(d)[:80]!r}")
    u = d["u"]
    a, s, loc, lf = d.get("a"), d.get("s"), d.get("l"), d.get("lf")
    processo = Processo(
        nup=d["n"],
        versao=d["v"],
        primeiro=(_ordem(d["p"][0]), d["p"][1], _instante(d["p"][2])),
        ultimo=(
            _ordem(u[0]),
            TipoProtocolo(u[1]),
            u[2],
            NivelAcesso(u[3]),
            _instante(u[4]),
            Operacao(u[5]),
        ),
        autuacao=(_ordem(a[0]), a[1], _instante(a[2])) if a else None,
        situacao_reg=(_ordem(s[0]), Situacao(s[1])) if s else None,
        especie_reg=(_ordem(d["e"][0]), d["e"][1]) if "e" in d else None,
        assunto_reg=(_ordem(d["as"][0]), d["as"][1]) if "as" in d else None,
        local_reg=(_ordem(loc[0]), _de_unidade(loc[1]), loc[2]) if loc else None,
        local_fraco=(_ordem(lf[0]), Unidade(*lf[1])) if lf else None,
        anexacao_reg=(_ordem(d["x"][0]), d["x"][1]) if "x" in d else None,
        interessados_reg=tuple(
            ((_ordem(o), n), doc or nome.casefold(), Interessado(nome, doc))
            for o, n, nome, doc in d.get("i", ())
        ),
        relacionados_reg=tuple((_ordem(o), n) for o, n in d.get("r", ())),
        documentos_reg=tuple((_ordem(o), n) for o, n in d.get("d", ())),
        unidades_reg=tuple(((_ordem(o), n), Unidade(*un)) for o, n, un in d.get("un", ())),
        dias=tuple(d.get("dm", ())),
        observacoes_reg=tuple((_ordem(o), t) for o, t in d.get("o", ())),
    )
    return processo, dict(d.get("of", {}))
