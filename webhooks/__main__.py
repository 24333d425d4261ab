"""`python -m webhooks`: deliver movimentos to the integrators' webhooks."""

from __future__ import annotations

import asyncio
import signal
from types import FrameType

from protocolo.configuracao import carregar_settings
from protocolo.logs import configure_logging
from webhooks.loop import Entregador


def main() -> None:
    """Run the deliverer until SIGTERM/SIGINT."""
    configure_logging()
    entregador = Entregador(carregar_settings())

    def _parar(signum: int, frame: FrameType | None) -> None:
        entregador.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    asyncio.run(entregador.executar())


if __name__ == "__main__":
    main()
