"""The local stack's settings, shared with the commands run beside it (`<state_dir>/ambiente.env`).

`protocolo up` gives its services settings that production does not use (the search client's plain
JSON mode, free or moved ports). A command run in another terminal, in the same directory, reads
them from this file while the stack that wrote it is running, so that `protocolo reconcile` or
`protocolo reindex` reach the same servers as the services. A variable set in the environment
always wins; the file is removed when the stack stops and ignored once its process is gone.
"""

from __future__ import annotations

__all__ = ["ARQUIVO", "carregar_ambiente", "escrever_ambiente", "remover_ambiente"]

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path

ARQUIVO = "ambiente.env"
CHAVES = (
    "PROTOCOLO_KAFKA_BOOTSTRAP_SERVERS",
    "PROTOCOLO_SEARCH_URL",
    "PROTOCOLO_SEARCH_SERVER_MODE",
    "PROTOCOLO_SMTP_HOST",
    "PROTOCOLO_SMTP_PORT",
    "PROTOCOLO_API_HOST",
    "PROTOCOLO_API_PORT",
    "PROTOCOLO_STREAMS_RECOVERY_CONSISTENCY_CHECK",
)
_PID = "# pid="


def escrever_ambiente(pasta: Path, env: Mapping[str, str], *, pid: int) -> Path:
    """Write the stack's connection settings (never a secret) for commands run beside it."""
    pasta.mkdir(parents=True, exist_ok=True)
    caminho = pasta / ARQUIVO
    linhas = [f"{_PID}{pid}", *(f"{chave}={env[chave]}" for chave in CHAVES if chave in env)]
    caminho.write_text("\n".join(linhas) + "\n", encoding="utf-8")
    return caminho


def remover_ambiente(pasta: Path) -> None:
    """Forget the stack's settings (it stopped)."""
    (pasta / ARQUIVO).unlink(missing_ok=True)


def _vivo(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def carregar_ambiente(pasta: Path, environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Put the running stack's settings into the environment, below what is already set there.

    Returns the names it set; nothing when there is no file or the stack that wrote it is gone.
    """
    caminho = pasta / ARQUIVO
    try:
        linhas = caminho.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    if not linhas or not linhas[0].startswith(_PID) or not _vivo(int(linhas[0][len(_PID) :])):
        return []
    postos = []
    for linha in linhas[1:]:
        chave, _, valor = linha.partition("=")
        if chave in CHAVES and chave not in environ:
            environ[chave] = valor
            postos.append(chave)
    return postos
