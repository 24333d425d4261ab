"""Session fixtures: real local servers (Kafka, search, SMTP) and per-test settings factories."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from cli.stack import LocalStack, porta_livre, settings_em_portas_livres
from protocolo.kafka import create_topics, make_producer
from protocolo.produce import produce_and_wait
from protocolo.referencia import carregar_referencia
from protocolo.referencia_topico import publicar_referencia
from protocolo.settings import (
    ApiSettings,
    KafkaSettings,
    SearchSettings,
    Settings,
    TopicSettings,
)

pytest_plugins = ["tests.fixtures.lotes"]

# The suite runs real servers and workers beside the property tests: on a loaded 2-core machine a
# generous example can take longer than Hypothesis' default 200 ms without anything being wrong.
hypothesis_settings.register_profile("protocolo", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("protocolo")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    return porta_livre()


def eventually(
    check: Callable[[], Any], *, timeout: float = 60.0, interval: float = 0.2, what: str = ""
) -> Any:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    limit = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < limit:
        last = check()
        if last:
            return last
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what or check}; last value: {last!r}")


def produzir(
    kafka: KafkaSettings,
    topico: str,
    mensagens: Iterable[tuple[bytes | None, bytes | None]],
    *,
    particao: int | None = None,
) -> None:
    """Produce (key, value) pairs in order (to `particao` if given) and wait for the broker's ack of each."""
    produce_and_wait(make_producer(kafka), topico, list(mensagens), timeout_s=15, partition=particao)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The real broker, search server and SMTP sink, started once, on free ports."""
    base = tmp_path_factory.mktemp("stack")
    settings = settings_em_portas_livres(base)
    stack = LocalStack(settings, servicos=())
    stack.iniciar_servidores()
    yield settings
    stack.parar()


@pytest.fixture(scope="session")
def settings_factory(servers: Settings, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Settings]:
    """Settings with fresh topic names, groups, indices and API port: tests never see each other's data."""

    def make(*, carregar_referencia_exemplo: bool = True, **overrides: Any) -> Settings:
        tag = uuid.uuid4().hex[:8]
        api_port = free_port()
        overrides.setdefault("streams", servers.streams.model_copy())  # the local broker's needs
        topics = TopicSettings(
            eventos=f"t{tag}.eventos",
            dlq=f"t{tag}.eventos.dlq",
            dlq_indexacao=f"t{tag}.indexacao.dlq",
            movimentos=f"t{tag}.movimentos",
            processos=f"t{tag}.processos",
            inscricoes=f"t{tag}.inscricoes",
            enviadas=f"t{tag}.enviadas",
            devolucoes=f"t{tag}.devolucoes",
            referencia=f"t{tag}.referencia",
            credenciais=f"t{tag}.credenciais",
        )
        settings = Settings(
            state_dir=tmp_path_factory.mktemp(f"state-{tag}"),
            kafka=KafkaSettings(
                bootstrap_servers=servers.kafka.bootstrap_servers, group_prefix=f"g{tag}", topics=topics
            ),
            search=SearchSettings(url=servers.search.url, server_mode="serverless", index_prefix=f"i{tag}"),
            smtp=servers.smtp,
            api=ApiSettings(port=api_port, public_base_url=f"http://127.0.0.1:{api_port}"),
            **overrides,
        )
        create_topics(settings.kafka)
        if carregar_referencia_exemplo:
            publicar_referencia(settings.kafka, carregar_referencia().orgaos)
        return settings

    return make


@pytest.fixture(scope="session")
def mail_dir(servers: Settings) -> Path:
    """Where the SMTP sink writes every message it receives."""
    return servers.state_dir / "mail"


def run_cli(settings: Settings, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `protocolo` command line with these settings in its environment."""
    env = {**os.environ, **settings.to_env(), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def kcat_env(tmp_path: Path) -> dict[str, str]:
    """Environment for Debian's kcat binary, loading the librdkafka bundled with confluent-kafka.

    Debian 12's kcat links librdkafka 2.0.2, which misreads the tagged fields of Tansu's
    ApiVersions v3 response ("Read underflow" at byte 274 of 279) and never connects. kcat is
    dynamically linked, so it runs unchanged against librdkafka 2.16 from the confluent-kafka wheel.
    Against real Kafka the plain binary is enough.
    """
    import confluent_kafka

    libs = Path(confluent_kafka.__file__).parent.parent / "confluent_kafka.libs"
    bundled = next(libs.glob("librdkafka*.so*"))
    pasta = tmp_path / "librdkafka"
    pasta.mkdir(exist_ok=True)
    link = pasta / "librdkafka.so.1"
    if not link.exists():
        link.symlink_to(bundled)
    return {**os.environ, "LD_LIBRARY_PATH": str(pasta)}
