"""JSON Lines: one event per line in its JSON form (README, "The event contract"). Pure.

Blank lines are skipped. `orgao` and `nivel_acesso_padrao`, when given, fill those fields only where a line
leaves them out.
"""

from __future__ import annotations

__all__ = ["ler_jsonl"]

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from producers.formatos.registro import Registro, validar
from protocolo.errors import Violation
from protocolo.model import NivelAcesso


def ler_jsonl(
    caminho: Path,
    *,
    orgao: str | None = None,
    nivel_acesso_padrao: NivelAcesso | None = None,
    agora: datetime | None = None,
) -> Iterator[Registro]:
    """Stream a JSON Lines file in constant memory, one record per non-blank line."""
    with caminho.open(encoding="utf-8") as arquivo:
        for numero, texto in enumerate(arquivo, start=1):
            if not texto.strip():
                continue
            local = f"linha {numero}"
            try:
                dados = json.loads(texto)
            except json.JSONDecodeError as exc:
                motivo = f"JSON inválido na coluna {exc.colno}: {exc.msg}"
                yield Registro(numero, local, None, (Violation("json", motivo),))
                continue
            if isinstance(dados, dict):
                if orgao is not None and dados.get("orgao") is None:
                    dados["orgao"] = orgao
                if nivel_acesso_padrao is not None and dados.get("nivel_acesso") is None:
                    dados["nivel_acesso"] = nivel_acesso_padrao.value
            yield validar(dados, numero=numero, local=local, agora=agora)
