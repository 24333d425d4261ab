"""`python -m cli.saude [--api]`: the container healthcheck: does the service in this container answer?

Each service container sets one metrics port (PROTOCOLO_<SERVICE>_METRICS_PORT); this asks for /metrics on
every port the settings give, and with `--api` also the API's /healthz (503 while the search server is
unreachable). Exit status 0 when all answered, 1 otherwise, with one pt-BR line per failure on stderr.
"""

from __future__ import annotations

__all__ = ["main", "verificar"]

import argparse
import sys
import urllib.error
import urllib.request

from protocolo.settings import Settings


def _enderecos(settings: Settings, *, api: bool) -> list[str]:
    portas = [
        settings.streams.metrics_port,
        settings.indexer.metrics_port,
        settings.notifier.metrics_port,
        settings.arquivo.metrics_port,
        settings.webhooks.metrics_port,
        settings.api.metrics_port,
    ]
    urls = [f"http://127.0.0.1:{porta}/metrics" for porta in portas if porta]
    if api:
        urls.append(f"http://127.0.0.1:{settings.api.port}/healthz")
    return urls


def verificar(settings: Settings, *, api: bool = False, timeout_s: float = 5.0) -> list[str]:
    """What did not answer 200, one pt-BR line each (empty: healthy)."""
    urls = _enderecos(settings, api=api)
    if not urls:
        return [
            "nenhum endpoint a verificar: defina a porta de métricas do serviço (PROTOCOLO_*_METRICS_PORT)"
        ]
    falhas = []
    for url in urls:
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as resposta:
                if resposta.status != 200:
                    falhas.append(f"{url} respondeu {resposta.status}")
        except urllib.error.HTTPError as exc:
            falhas.append(f"{url} respondeu {exc.code}")
        except OSError as exc:
            falhas.append(f"{url} não respondeu: {exc}")
    return falhas


def main(argv: list[str] | None = None) -> int:
    """Check this container's service; the exit status is the answer."""
    parser = argparse.ArgumentParser(
        prog="python -m cli.saude", description="Verifica o serviço deste contêiner."
    )
    parser.add_argument("--api", action="store_true", help="verifica também o /healthz da API")
    args = parser.parse_args(argv)
    falhas = verificar(Settings(), api=args.api)
    for falha in falhas:
        sys.stderr.write(f"{falha}\n")
    return 1 if falhas else 0


if __name__ == "__main__":
    sys.exit(main())
