"""`python -m indexer`: consume snapshots and movimentos, write them in bulk, then commit."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from indexer.loop import Indexer
from protocolo.configuracao import carregar_settings
from protocolo.logs import configure_logging

logger = logging.getLogger("indexer")


def main() -> None:
    """Run the indexer until SIGTERM/SIGINT."""
    configure_logging()
    indexer = Indexer(carregar_settings())

    def _parar(signum: int, frame: FrameType | None) -> None:
        indexer.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    indexer.executar()


if __name__ == "__main__":
    main()
