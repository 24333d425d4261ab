"""`python -m webhooks`: deliver movimentos to the integrators' webhooks."""

from __future__ import annotations

import asyncio
import signal
from types import FrameType

from protocolo.configuracao import carregar_settings
from protocolo.geracao import STATUS_TROCA
from protocolo.geracao_topico import VigiaGeracao
from protocolo.logs import configure_logging
from webhooks.loop import Entregador


def main() -> None:
    """Run the deliverer until SIGTERM/SIGINT, or until a rebuild switches the generation (STATUS_TROCA)."""
    configure_logging()
    vigia = VigiaGeracao("webhooks")
    entregador = Entregador(vigia.escolher(carregar_settings()))
    vigia.seguir(entregador.parar)

    def _parar(signum: int, frame: FrameType | None) -> None:
        entregador.parar()

    signal.signal(signal.SIGTERM, _parar)
    signal.signal(signal.SIGINT, _parar)
    try:
        asyncio.run(entregador.executar())
    finally:
        vigia.encerrar()
    if vigia.trocou:
        raise SystemExit(STATUS_TROCA)


if __name__ == "__main__":
    main()
