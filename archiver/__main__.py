"""`python -m archiver`: archive every raw event in a signed, append-only log until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from archiver.chave import garantir_chave, ler_chave
from archiver.loop import Arquivador
from protocolo.configuracao import carregar_settings, recusar
from protocolo.errors import ArchiveError
from protocolo.logs import configure_logging

logger = logging.getLogger("archiver")


def main() -> None:
    """Run the archiver; in development the signing key is created on first start."""
    configure_logging()
    settings = carregar_settings()
    caminho = settings.chave_arquivo()
    try:
        if settings.environment == "development":
            assinante = garantir_chave(caminho, nome=settings.arquivo.origem)
        else:
            assinante = ler_chave(caminho)
    except ArchiveError as exc:
        recusar([f"PROTOCOLO_ARQUIVO_CHAVE: {exc}"])
    arquivador = Arquivador(settings, assinante)

    def _parar(signum: int, frame: FrameType | None) -> None:
        arquivador.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    arquivador.executar()


if __name__ == "__main__":
    main()
