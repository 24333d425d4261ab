"""`python -m notifier.alertas`: match saved-search alerts in the stream and mail them."""

from __future__ import annotations

import signal
from types import FrameType

from notifier.alertas.loop import EnviadorAlertas
from protocolo.configuracao import carregar_settings
from protocolo.geracao import STATUS_TROCA
from protocolo.geracao_topico import VigiaGeracao
from protocolo.logs import configure_logging


def main() -> None:
    """Run the alert sender until SIGTERM/SIGINT, or until a rebuild switches generation (STATUS_TROCA)."""
    configure_logging()
    vigia = VigiaGeracao("alertas")
    enviador = EnviadorAlertas(vigia.escolher(carregar_settings()))
    vigia.seguir(enviador.parar)

    def _parar(signum: int, frame: FrameType | None) -> None:
        enviador.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    try:
        enviador.executar()
    finally:
        vigia.encerrar()
    if vigia.trocou:
        raise SystemExit(STATUS_TROCA)


if __name__ == "__main__":
    main()
