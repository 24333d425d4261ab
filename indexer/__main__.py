"""`python -m indexer`: consume snapshots and movimentos, write them in bulk, then commit."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from indexer.loop import Indexer
from protocolo.configuracao import carregar_settings
from protocolo.geracao import STATUS_TROCA
from protocolo.geracao_topico import VigiaGeracao
from protocolo.logs import configure_logging

logger = logging.getLogger("indexer")


def main() -> None:
    """Run the indexer until SIGTERM/SIGINT, or until a rebuild switches the generation (STATUS_TROCA)."""
    configure_logging()
    vigia = VigiaGeracao("indexer")
    indexer = Indexer(vigia.escolher(carregar_settings()))
    vigia.seguir(indexer.parar)

    def _parar(signum: int, frame: FrameType | None) -> None:
        indexer.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    try:
        indexer.executar()
    finally:
        vigia.encerrar()
    if vigia.trocou:
        raise SystemExit(STATUS_TROCA)


if __name__ == "__main__":
    main()
