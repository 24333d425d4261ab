"""Where every benchmark writes its figures: bench/resultados/<name>.json."""

from __future__ import annotations

__all__ = ["gravar_resultados"]

import json
from pathlib import Path
from typing import Any

from rich.console import Console


def gravar_resultados(caminho: Path, resultados: dict[str, Any], console: Console) -> None:
    """Write `resultados` as indented JSON to `caminho` and say where."""
    caminho.parent.mkdir(parents=True, exist_ok=True)
    caminho.write_text(json.dumps(resultados, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"\nresultados em {caminho}")
