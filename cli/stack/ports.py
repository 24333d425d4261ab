"""Addresses and ports for the local stack: parse, test and pick ports, and settings on free ones."""

from __future__ import annotations

__all__ = ["esta_livre", "host_porta", "porta_livre", "settings_em_portas_livres"]

import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from protocolo.errors import StackError
from protocolo.settings import (
    AlertasSettings,
    ApiSettings,
    KafkaSettings,
    SearchSettings,
    Settings,
    SmtpSettings,
    StreamsSettings,
)


def host_porta(endereco: str) -> tuple[str, int]:
    """Host and port of `host:port` or of a URL; StackError when either is missing."""
    partes = urlsplit(endereco if "://" in endereco else f"tcp://{endereco}")
    if partes.hostname is None or partes.port is None:
        raise StackError(f"endereço sem host ou porta: {endereco}")
    return partes.hostname, partes.port


def esta_livre(host: str, porta: int) -> bool:
    """Whether a server could listen on `host:porta` now (nobody else is bound to it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, porta))
        except OSError:
            return False
    return True


def porta_livre() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_em_portas_livres(state_dir: Path, **api: Any) -> Settings:
    """Settings for a private local stack (tests, benchmarks): every server on a free port.

    `api` overrides ApiSettings fields (e.g. gateway limits).
    """
    return Settings(
        state_dir=state_dir,
        kafka=KafkaSettings(bootstrap_servers=f"127.0.0.1:{porta_livre()}"),
        # The local OpenSearch-compatible server answers the client's vendor media type with 406: plain JSON.
        search=SearchSettings(url=f"http://127.0.0.1:{porta_livre()}", server_mode="serverless"),
        smtp=SmtpSettings(port=porta_livre()),
        api=ApiSettings(port=porta_livre(), **api),
        # The local broker under-reports a changelog's end (see StreamsSettings).
        streams=StreamsSettings(recovery_consistency_check=False),
        # The local search server's analysis, which the alert matcher copies (AlertasSettings).
        alertas=AlertasSettings(analise="local"),
    )
