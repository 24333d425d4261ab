"""The signing key file: read it, or create it (development only), with owner-only permissions."""

from __future__ import annotations

__all__ = ["garantir_chave", "ler_chave"]

import logging
import os
from pathlib import Path

from archiver.nota import Assinante, gerar_assinante
from protocolo.errors import ArchiveError

logger = logging.getLogger(__name__)


def ler_chave(caminho: Path) -> Assinante:
    """The signer in a key file; ArchiveError if it is missing, InvalidNote if malformed."""
    if not caminho.exists():
        raise ArchiveError(f"{caminho}: chave de assinatura do arquivo não encontrada")
    return Assinante.ler(caminho.read_text(encoding="utf-8"))


def garantir_chave(caminho: Path, *, nome: str) -> Assinante:
    """The signer in `caminho`, created first if the file does not exist yet."""
    if caminho.exists():
        assinante = ler_chave(caminho)
        if assinante.nome != nome:
            raise ArchiveError(f"{caminho}: a chave se chama {assinante.nome}, a origem é {nome}")
        return assinante
    caminho.parent.mkdir(parents=True, exist_ok=True)
    assinante = gerar_assinante(nome)
    fd = os.open(caminho, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(assinante.texto() + "\n")
    logger.info("archive signing key created path=%s", caminho)
    return assinante
