"""`python -m notifier`: mail subscribers about new movimentos."""

from __future__ import annotations

import signal
from types import FrameType

from notifier.loop import Notifier
from protocolo.configuracao import carregar_settings
from protocolo.geracao import STATUS_TROCA
from protocolo.geracao_topico import VigiaGeracao
from protocolo.logs import configure_logging


def main() -> None:
    """Run the notifier until SIGTERM/SIGINT, or until a rebuild switches the generation (STATUS_TROCA)."""
    configure_logging()
    vigia = VigiaGeracao("notifier")
    notifier = Notifier(vigia.escolher(carregar_settings()))
    vigia.seguir(notifier.parar)

    def _parar(signum: int, frame: FrameType | None) -> None:
        notifier.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    try:
        notifier.executar()
    finally:
        vigia.encerrar()
    if vigia.trocou:
        raise SystemExit(STATUS_TROCA)


if __name__ == "__main__":
    main()
