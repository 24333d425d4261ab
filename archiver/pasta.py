"""The archive directory's layout: segment files, checkpoint files, and reading them back (no Kafka).

<pasta>/segmentos/00000000.seg, 00000001.seg, ...     the log, in order (archiver/segmento.py)
<pasta>/checkpoints/000000001000.ckpt, ...            signed checkpoints, named by tree size
"""

from __future__ import annotations

__all__ = [
    "Checkpoints",
    "arquivo_checkpoint",
    "escrever_atomico",
    "listar_checkpoints",
    "listar_segmentos",
    "pasta_checkpoints",
    "pasta_segmentos",
]

import os
import re
from pathlib import Path

_SEGMENTO = re.compile(r"^(\d{8})\.seg$")
_CHECKPOINT = re.compile(r"^(\d{12})\.ckpt$")

Checkpoints = list[tuple[int, Path]]


def pasta_segmentos(pasta: Path) -> Path:
    return pasta / "segmentos"


def pasta_checkpoints(pasta: Path) -> Path:
    return pasta / "checkpoints"


def arquivo_checkpoint(pasta: Path, tamanho: int) -> Path:
    """Where the checkpoint of a tree of `tamanho` events is written."""
    return pasta_checkpoints(pasta) / f"{tamanho:012d}.ckpt"


def listar_segmentos(pasta: Path) -> tuple[list[tuple[int, Path]], list[Path]]:
    """The segment files by number, and the files in the segments' directory that are not segments."""
    base = pasta_segmentos(pasta)
    if not base.is_dir():
        return [], []
    segmentos, estranhos = [], []
    for caminho in base.iterdir():
        nome = _SEGMENTO.match(caminho.name)
        if nome:
            segmentos.append((int(nome.group(1)), caminho))
        elif not caminho.name.endswith(".tmp"):
            estranhos.append(caminho)
    return sorted(segmentos), sorted(estranhos)


def listar_checkpoints(pasta: Path) -> Checkpoints:
    """The checkpoint files by the tree size in their names, smallest first."""
    base = pasta_checkpoints(pasta)
    if not base.is_dir():
        return []
    achados = [(int(m.group(1)), c) for c in base.iterdir() if (m := _CHECKPOINT.match(c.name))]
    return sorted(achados)


def escrever_atomico(caminho: Path, dados: bytes) -> None:
    """Write a file whole or not at all: a temporary file, fsync, rename, fsync of the directory."""
    caminho.parent.mkdir(parents=True, exist_ok=True)
    temporario = caminho.with_name(caminho.name + ".tmp")
    with open(temporario, "wb") as f:
        f.write(dados)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporario, caminho)
    fd = os.open(caminho.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
