"""`python -m notifier.alertas`: match saved-search alerts in the stream and mail them."""

from __future__ import annotations

import signal
from types import FrameType

from notifier.alertas.loop import EnviadorAlertas
from protocolo.configuracao import carregar_settings
from protocolo.logs import configure_logging


def main() -> None:
    """Run the alert sender until SIGTERM/SIGINT."""
    configure_logging()
    enviador = EnviadorAlertas(carregar_settings())

    def _parar(signum: int, frame: FrameType | None) -> None:
        enviador.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    enviador.executar()


if __name__ == "__main__":
    main()
