"""`python -m indexer`: consume snapshots and movimentos, write them in bulk, then commit."""

from __future__ import annotations

from indexer.loop import Indexer
from protocolo.geracao_topico import rodar_na_geracao
from protocolo.logs import configure_logging


def main() -> None:
    """Run the indexer until SIGTERM/SIGINT, or until a rebuild switches the generation (STATUS_TROCA)."""
    configure_logging()
    rodar_na_geracao("indexer", Indexer, Indexer.executar)


if __name__ == "__main__":
    main()
