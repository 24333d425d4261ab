"""A real `python -m streams` worker on a broker reached only over TLS: aiokafka (under Faust) gets its
TLS from `KafkaSettings.ssl_context` through streams.app's credentials, the output producer
(confluent-kafka) from `client_config`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import ler_topico
from tests.fixtures.kafka_tls import KafkaTls
from tests.fixtures.pipeline import PROTOCOLO, evento, novo_nup, write_jsonl
from tests.fixtures.trabalhador import Trabalhador


def test_a_worker_over_tls_folds_a_raw_event_into_a_processo_snapshot(
    settings_tls_factory: Callable[..., Settings], kafka_tls: KafkaTls, tmp_path: Path
) -> None:
    settings = settings_tls_factory()
    assert (
        settings.kafka.security_protocol == "SSL" and settings.kafka.bootstrap_servers == kafka_tls.bootstrap
    )
    trabalhador = Trabalhador(settings, "tls")
    trabalhador.iniciar()
    try:
        eventually(
            lambda: trabalhador.pronto.exists() or not trabalhador.vivo(), timeout=90, what="the worker ready"
        )
        assert trabalhador.vivo(), trabalhador.log.read_text(errors="replace")[-3000:]
        nup = novo_nup()
        autuacao = evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Licença capacitação")
        publicado = run_cli(settings, "publish", str(write_jsonl(tmp_path / "a.jsonl", [autuacao])))
        assert publicado.returncode == 0, publicado.stderr

        def snapshot() -> dict[str, object] | None:
            processos = ler_topico(settings.kafka, settings.kafka.topics.processos, "processo")
            return next((p for p in processos if p["nup"] == nup.digitos), None)

        processo = eventually(snapshot, timeout=60, what="the processo snapshot read back over TLS")
    finally:
        trabalhador.parar()
    assert processo["versao"] == 1
    assert processo["assunto"] == "Licença capacitação"
    log = trabalhador.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
