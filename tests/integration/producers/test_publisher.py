"""The producer library against real brokers: acknowledgements, keys, partitions, failures and freezes.

Freezing a broker (SIGSTOP) happens only on a private broker this module starts: the session broker is
shared with every other test.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cli.stack import LocalStack, porta_livre, settings_em_portas_livres
from producers.publisher import LOGGER_LIBRDKAFKA, Publisher, Resultado
from protocolo.errors import InvalidEvent, PublishError
from protocolo.kafka import create_topics
from protocolo.nup import gerar_nup
from protocolo.settings import KafkaSettings, Settings
from streams.app import particao_do_nup
from tests.fixtures.kafka import ler_eventos

RAIZ = Path(__file__).parents[3]


def evento(n: int, *, sequencial: int | None = None) -> dict[str, Any]:
    """A valid ENVIO; `sequencial` picks the NUP (default: one NUP per event)."""
    nup = gerar_nup(unidade=23037, sequencial=n if sequencial is None else sequencial, ano=2024)
    return {
        "id": f"pub-{n}",
        "orgao": "23000",
        "nup": nup.formatado,
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "ocorrido_em": "2024-05-02T10:00:00-03:00",
        "nivel_acesso": "PUBLICO",
        "unidade_origem": {"codigo": "2300001", "sigla": "PROTOCOLO"},
        "unidade_destino": {"codigo": "2300004", "sigla": "CGGP"},
    }


def identidades(registros: list[tuple[bytes, int, dict[str, Any]]]) -> Counter[str]:
    return Counter(f"{valor['orgao']}:{valor['id']}" for _chave, _particao, valor in registros)


@pytest.fixture(scope="module")
def broker_privado(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """A broker of this module's own (with the search server and SMTP sink the stack starts beside it)."""
    stack = LocalStack(settings_em_portas_livres(tmp_path_factory.mktemp("broker-privado")), servicos=())
    stack.iniciar_servidores()
    yield stack
    for broker in (p.popen for p in stack.processes if p.nome == "kafka" and p.popen.poll() is None):
        broker.send_signal(signal.SIGCONT)  # whatever a failed test left frozen
    stack.parar()


@pytest.fixture
def kafka_privado(broker_privado: LocalStack, request: pytest.FixtureRequest) -> KafkaSettings:
    """Settings on the private broker with a raw topic of this test's own."""
    base = broker_privado.settings.kafka
    topicos = base.topics.model_copy(update={"eventos": f"{request.node.name[:60]}.eventos"})
    kafka = base.model_copy(update={"topics": topicos})
    create_topics(kafka)
    return kafka


def congelar(stack: LocalStack) -> Callable[[], None]:
    """SIGSTOP the private broker; returns what thaws it."""
    pid = stack.process("kafka").pid
    os.kill(pid, signal.SIGSTOP)
    return lambda: os.kill(pid, signal.SIGCONT)


def test_every_event_is_acknowledged_keyed_by_nup_digits_in_the_nups_murmur2_partition(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)
    vistos: list[Resultado] = []

    with Publisher(settings.kafka, ao_confirmar=vistos.append) as publisher:
        resultados = [publisher.publish(evento(n), origem=f"teste:{n}") for n in range(1, 41)]

    assert all(r.ok for r in resultados) and not any(r.erro for r in resultados)
    assert sorted(vistos, key=lambda r: r.chave_identidade) == sorted(
        resultados, key=lambda r: r.chave_identidade
    )
    assert (publisher.enviados, publisher.confirmados, publisher.nao_confirmados) == (40, 40, 0)
    assert publisher.falhas == []
    registros = ler_eventos(settings.kafka, settings.kafka.topics.eventos)
    assert identidades(registros) == Counter(r.chave_identidade for r in resultados)
    particoes = settings.kafka.topics.partitions
    por_id = {r.chave_identidade: r for r in resultados}
    for chave, particao, valor in registros:
        n = int(valor["id"].removeprefix("pub-"))
        assert chave == gerar_nup(unidade=23037, sequencial=n, ano=2024).digitos.encode()
        assert particao == particao_do_nup(chave, particoes) == por_id[f"23000:{valor['id']}"].particao


def test_an_invalid_event_raises_before_anything_is_produced(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)
    invalido = evento(1) | {"nup": "23037.000001/2024-00"}

    with Publisher(settings.kafka) as publisher:
        with pytest.raises(InvalidEvent) as erro:
            publisher.publish(invalido)
        publisher.publish(evento(2))

    assert [v.campo for v in erro.value.violations] == ["nup"]
    assert (publisher.enviados, publisher.confirmados) == (1, 1)
    registros = ler_eventos(settings.kafka, settings.kafka.topics.eventos)
    assert identidades(registros) == Counter({"23000:pub-2": 1})


def test_an_unreachable_broker_fails_every_event_with_a_portuguese_error_in_bounded_time() -> None:
    kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{porta_livre()}")
    timeout_s = 2.0
    inicio = time.monotonic()

    with pytest.raises(PublishError) as erro:
        with Publisher(kafka, timeout_s=timeout_s, falhas_guardadas=2) as publisher:
            # One NUP, one partition queue: the events expire in the order they were published.
            resultados = [
                publisher.publish(evento(n, sequencial=7), origem=f"lote.jsonl:{n}") for n in (1, 2, 3, 4)
            ]

    assert time.monotonic() - inicio < timeout_s + 30, "liveness: the caller must hear back"
    motivo = "sem confirmação do broker em 2 s (Local: Message timed out)"
    assert str(erro.value).startswith(
        f"4 de 4 eventos não foram confirmados pelo broker: lote.jsonl:1: {motivo}; lote.jsonl:2: {motivo}; "
        f"lote.jsonl:3: {motivo}; e mais 1 (último erro de conexão: "
    )
    assert "Connection refused" in str(erro.value)
    assert [r.ok for r in resultados] == [False] * 4
    assert all(r.erro == motivo for r in resultados)
    assert (publisher.confirmados, publisher.nao_confirmados) == (0, 4)
    assert publisher.falhas == resultados[:2]  # bounded: the first two kept, the rest only counted


def test_leaving_the_block_on_an_error_keeps_that_error_and_logs_the_flush_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{porta_livre()}")

    with pytest.raises(RuntimeError, match="o sistema do órgão falhou"):
        with Publisher(kafka, timeout_s=1) as publisher:
            resultado = publisher.publish(evento(1), origem="lote.jsonl:1")
            raise RuntimeError("o sistema do órgão falhou")

    assert resultado.ok is False
    falhas = [r.getMessage() for r in caplog.records if r.name == "producers.publisher"]
    assert any("flush failed" in m and "1 de 1 eventos não foram confirmados" in m for m in falhas), falhas


def test_a_broker_frozen_past_the_timeout_fails_events_and_reports_none_it_did_not_acknowledge(
    broker_privado: LocalStack, kafka_privado: KafkaSettings
) -> None:
    publisher = Publisher(kafka_privado, timeout_s=3)
    antes = [publisher.publish(evento(n)) for n in range(1, 201)]
    publisher.flush()
    descongelar = congelar(broker_privado)
    try:
        inicio = time.monotonic()
        durante = [publisher.publish(evento(n)) for n in range(201, 401)]
        with pytest.raises(PublishError, match=r"^200 de 400 eventos não foram confirmados pelo broker: "):
            publisher.flush()
        assert time.monotonic() - inicio < 3 + 30, "liveness: flush must give up on a frozen broker"
    finally:
        descongelar()

    resultados = antes + durante
    assert all(r.ok for r in antes)
    assert not any(r.ok for r in durante)
    assert all(r.erro and r.erro.startswith("sem confirmação do broker em 3 s") for r in durante)
    no_topico = identidades(ler_eventos(kafka_privado, kafka_privado.topics.eventos))
    confirmados = {r.chave_identidade for r in resultados if r.ok}
    assert confirmados <= set(no_topico), "an event reported as sent is missing from the topic"
    # Failed events may still have been written (the broker read them after thawing): at-least-once,
    # and the streams drop exact duplicates. What matters is that none reported ok is missing.


def test_a_broker_frozen_for_less_than_the_timeout_is_survived_without_duplicates(
    broker_privado: LocalStack, kafka_privado: KafkaSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER_LIBRDKAFKA)
    # Requests time out after 1 s, so the 3 s freeze makes librdkafka retry them (same producer id and
    # sequence numbers); the events themselves have 30 s.
    publisher = Publisher(kafka_privado, timeout_s=30, config={"socket.timeout.ms": 1000})
    resultados = [publisher.publish(evento(n)) for n in range(1, 201)]
    publisher.flush()
    descongelar = congelar(broker_privado)
    try:
        resultados += [publisher.publish(evento(n)) for n in range(201, 401)]
        time.sleep(3)  # the freeze itself, not a wait for anything
    finally:
        descongelar()
    publisher.flush()

    assert all(r.ok for r in resultados)
    assert (publisher.confirmados, publisher.nao_confirmados) == (400, 0)
    no_topico = identidades(ler_eventos(kafka_privado, kafka_privado.topics.eventos))
    assert no_topico == Counter({r.chave_identidade: 1 for r in resultados}), "lost or duplicated events"
    avisos = [r.getMessage() for r in caplog.records if r.name == LOGGER_LIBRDKAFKA]
    assert any("Timed out" in m for m in avisos), f"the freeze retried nothing: {avisos}"


def _exemplo_da_documentacao() -> str:
    texto = (RAIZ / "docs" / "integracao.md").read_text(encoding="utf-8")
    secao = texto[texto.index("## The producer library") :]
    bloco = re.search(r"```python\n(.*?)```", secao, re.DOTALL)
    assert bloco is not None, "no python block under ## The producer library"
    return bloco.group(1)


def test_the_documented_library_example_publishes_its_event(
    broker_privado: LocalStack, tmp_path: Path
) -> None:
    kafka = broker_privado.settings.kafka  # the example uses the default topic names
    codigo = _exemplo_da_documentacao()
    assert '"kafka:9092"' in codigo
    script = tmp_path / "exemplo.py"
    script.write_text(codigo.replace('"kafka:9092"', repr(kafka.bootstrap_servers)), encoding="utf-8")

    saida = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False, cwd=RAIZ
    )

    assert saida.returncode == 0, saida.stderr
    particao = particao_do_nup(b"23037001462202165", kafka.topics.partitions)
    assert saida.stdout.strip() == f"True {particao} 1"
    registros = ler_eventos(kafka, kafka.topics.eventos)
    assert [(chave, valor["id"]) for chave, _p, valor in registros] == [(b"23037001462202165", "sei-123")]
