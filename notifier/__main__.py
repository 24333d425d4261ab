"""`python -m notifier`: mail subscribers about new movimentos."""

from __future__ import annotations

import signal
from types import FrameType

from notifier.loop import Notifier
from protocolo.configuracao import carregar_settings
from protocolo.logs import configure_logging


def main() -> None:
    """Run the notifier until SIGTERM/SIGINT."""
    configure_logging()
    notifier = Notifier(carregar_settings())

    def _parar(signum: int, frame: FrameType | None) -> None:
        notifier.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    notifier.executar()


if __name__ == "__main__":
    main()
