"""JSON Lines: one event per line in its JSON form (README, "The event contract"). Pure.

Text is UTF-8 (a BOM is dropped); a line that is not is rejected alone. Blank lines are skipped.
`orgao` and `nivel_acesso_padrao`, when given, fill those fields only where a line leaves them out.
"""

from __future__ import annotations

__all__ = ["ler_jsonl"]

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from producers.formatos.abertura import Abrir, abrir_binario
from producers.formatos.evento_lido import EventoLido, validar
from protocolo.errors import Violation
from protocolo.model import NivelAcesso


def ler_jsonl(
    caminho: Path,
    *,
    orgao: str | None = None,
    nivel_acesso_padrao: NivelAcesso | None = None,
    agora: datetime | None = None,
    abrir: Abrir = abrir_binario,
) -> Iterator[EventoLido]:
    """Stream a JSON Lines file in constant memory, one record per non-blank line."""
    with abrir(caminho) as arquivo:
        for numero, bruta in enumerate(arquivo, start=1):
            local = f"linha {numero}"
            try:  # line by line, so a bad byte rejects its own line and the reading goes on
                texto = bruta.decode("utf-8").removeprefix("\ufeff" if numero == 1 else "")
            except UnicodeDecodeError as exc:
                motivo = f"o texto não está em UTF-8 (byte {exc.start + 1} da linha)"
                yield EventoLido(numero, local, None, (Violation("json", motivo),))
                continue
            if not texto.strip():
                continue
            try:
                dados = json.loads(texto)
            except json.JSONDecodeError as exc:
                motivo = f"JSON inválido na coluna {exc.colno}: {exc.msg}"
                yield EventoLido(numero, local, None, (Violation("json", motivo),))
                continue
            if isinstance(dados, dict):
                if orgao is not None and dados.get("orgao") is None:
                    dados["orgao"] = orgao
                if nivel_acesso_padrao is not None and dados.get("nivel_acesso") is None:
                    dados["nivel_acesso"] = nivel_acesso_padrao.value
            yield validar(dados, numero=numero, local=local, agora=agora)
