"""`python -m notifier`: mail subscribers about new movimentos."""

from __future__ import annotations

import signal
from types import FrameType

from notifier.loop import Notifier
from protocolo.logs import configure_logging
from protocolo.settings import Settings


def main() -> None:
    """Run the notifier until SIGTERM/SIGINT."""
    configure_logging()
    notifier = Notifier(Settings())

    def _parar(signum: int, frame: FrameType | None) -> None:
        notifier.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    notifier.executar()


if __name__ == "__main__":
    main()
