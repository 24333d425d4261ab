"""`python -m bench.faust_vazio GRUPO PORTA`: the no-op Faust agent, the stream benchmark's baseline.

A minimal faust.App with the broker settings of streams/app.py (raw key and value serializers, the
session timeout and heartbeat from settings, web disabled) in a new group `GRUPO`, reading the raw
events topic with `take_events(2000, within=0.05)` and only counting. The count is the Prometheus
counter `bench_faust_vazio_mensagens_total` on 127.0.0.1:PORTA. Runs until SIGTERM. Like the streams
worker, it runs without Faust's terminal spinner, which would turn every debug log record on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import faust
from faust import Worker
from prometheus_client import CollectorRegistry, Counter, start_http_server

from protocolo.settings import Settings


def main() -> None:
    grupo, porta = sys.argv[1], int(sys.argv[2])
    settings = Settings()
    kafka = settings.kafka
    datadir = settings.state_dir / "faust-vazio" / grupo
    app = faust.App(
        grupo,
        broker=[f"kafka://{h}" for h in kafka.bootstrap_servers.split(",")],
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        topic_partitions=kafka.topics.partitions,
        topic_replication_factor=kafka.topics.replication_factor,
        broker_session_timeout=kafka.session_timeout_ms / 1000,
        broker_heartbeat_interval=kafka.heartbeat_interval_ms / 1000,
        web_enabled=False,
        datadir=str(datadir),
    )
    registry = CollectorRegistry()
    lidas = Counter("bench_faust_vazio_mensagens", "Messages the no-op agent read.", registry=registry)
    topico = app.topic(kafka.topics.eventos, key_type=bytes, value_type=bytes)

    @app.agent(topico, name="contar")
    async def contar(stream: faust.StreamT[bytes]) -> None:
        async for eventos in stream.take_events(2000, within=0.05):  # type: ignore[attr-defined]
            lidas.inc(len(eventos))

    start_http_server(porta, addr="127.0.0.1", registry=registry)
    Path(datadir).mkdir(parents=True, exist_ok=True)
    worker = Worker(app, loglevel="WARNING")
    worker.spinner = None  # as streams/__main__.py: the spinner turns the root logger to DEBUG
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
