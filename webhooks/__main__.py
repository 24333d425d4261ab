"""`python -m webhooks`: deliver movimentos to the integrators' webhooks."""

from __future__ import annotations

import asyncio

from protocolo.geracao_topico import rodar_na_geracao
from protocolo.logs import configure_logging
from webhooks.loop import Entregador


def main() -> None:
    """Run the deliverer until SIGTERM/SIGINT, or until a rebuild switches the generation (STATUS_TROCA)."""
    configure_logging()
    rodar_na_geracao("webhooks", Entregador, lambda entregador: asyncio.run(entregador.executar()))


if __name__ == "__main__":
    main()
