"""`python -m notifier.alertas`: match saved-search alerts in the stream and mail them."""

from __future__ import annotations

from notifier.alertas.loop import EnviadorAlertas
from protocolo.geracao_topico import rodar_na_geracao
from protocolo.logs import configure_logging


def main() -> None:
    """Run the alert sender until SIGTERM/SIGINT, or until a rebuild switches generation (STATUS_TROCA)."""
    configure_logging()
    rodar_na_geracao("alertas", EnviadorAlertas, EnviadorAlertas.executar)


if __name__ == "__main__":
    main()
