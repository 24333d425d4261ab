"""`python -m notifier`: mail subscribers about new movimentos."""

from __future__ import annotations

from notifier.loop import Notifier
from protocolo.geracao_topico import rodar_na_geracao
from protocolo.logs import configure_logging


def main() -> None:
    """Run the notifier until SIGTERM/SIGINT, or until a rebuild switches the generation (STATUS_TROCA)."""
    configure_logging()
    rodar_na_geracao("notifier", Notifier, Notifier.executar)


if __name__ == "__main__":
    main()
