"""The memory of a process and all its descendants, sampled while it runs (Linux /proc).

A process's own peak (`ru_maxrss`) says nothing of the workers it starts. This sums, at each
sample, the resident set (RSS) of every process of the tree, and also their proportional set
(PSS: a page shared by n processes counts 1/n in each, so the sum is what the tree really uses),
and keeps the highest sums seen.
"""

from __future__ import annotations

__all__ = ["Pico", "medir_arvore"]

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_INTERVALO_S = 0.05


@dataclass
class Pico:
    """The highest sums seen over the tree, in MB, and the most processes seen at once."""

    rss_mb: float = 0.0
    pss_mb: float = 0.0
    processos: int = 0


def _descendentes(pid: int) -> list[int]:
    todos, fila = [], [pid]
    while fila:
        atual = fila.pop()
        todos.append(atual)
        for tarefa in Path(f"/proc/{atual}/task").glob("*/children"):
            try:
                fila.extend(int(filho) for filho in tarefa.read_text().split())
            except OSError:
                continue
    return todos


def _kb(caminho: Path, campo: str) -> int:
    try:
        for linha in caminho.read_text().splitlines():
            if linha.startswith(campo):
                return int(linha.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def medir_arvore(processo: subprocess.Popen[str], pico: Pico) -> threading.Thread:
    """Sample `processo`'s tree into `pico` until it exits (a daemon thread; join it after wait())."""

    def amostrar() -> None:
        while processo.poll() is None:
            pids = _descendentes(processo.pid)
            rss = sum(_kb(Path(f"/proc/{p}/status"), "VmRSS:") for p in pids)
            pss = sum(_kb(Path(f"/proc/{p}/smaps_rollup"), "Pss:") for p in pids)
            pico.rss_mb = max(pico.rss_mb, round(rss / 1024, 1))
            pico.pss_mb = max(pico.pss_mb, round(pss / 1024, 1))
            pico.processos = max(pico.processos, len(pids))
            time.sleep(_INTERVALO_S)

    fio = threading.Thread(target=amostrar, daemon=True)
    fio.start()
    return fio
