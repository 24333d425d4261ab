"""`protocolo replay` against the real broker: what kcat reads, ranges, filters, formats, bad input."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastavro
import pyarrow.parquet as pq
import pytest

from cli.replay.saidas import para_json
from protocolo.avro import catalogo_padrao
from protocolo.kafka import make_producer
from protocolo.nup import gerar_nup
from protocolo.registros import evento_mensagem
from protocolo.settings import Settings
from protocolo.validation import evento_from_json
from tests.fixtures.cli import run_cli
from tests.fixtures.kafka import kcat_env, produzir

NUP_A = gerar_nup(unidade=23037, sequencial=1462, ano=2021)
NUP_B = gerar_nup(unidade=26000, sequencial=77, ano=2024)


def _evento(
    n: int, *, orgao: str = "23000", nup: str = NUP_A.formatado, operacao: str = "ENVIO"
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"rp-{n}",
        "orgao": orgao,
        "nup": nup,
        "tipo": "PROCESSO",
        "operacao": operacao,
        "ocorrido_em": f"2021-03-{1 + n % 28:02d}T10:00:00-03:00",
        "nivel_acesso": "PUBLICO",
        "unidade_origem": {"codigo": "2300001"},
        "unidade_destino": {"codigo": "2300002"},
    }
    return base


def _mensagem(dados: dict[str, Any]) -> tuple[bytes, bytes]:
    return evento_mensagem(catalogo_padrao(), evento_from_json(dados))


def _replay(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(settings, "replay", *args)


def _jsonl(resultado: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert resultado.returncode == 0, resultado.stderr
    return [json.loads(linha) for linha in resultado.stdout.splitlines()]


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    return settings_factory(carregar_referencia_exemplo=False)


def _kcat(settings: Settings, topico: str, tmp_path: Path) -> list[tuple[int, int, int, bytes]]:
    """(partition, offset, timestamp ms, value) of every message, as kcat reads them."""
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.fail("kcat is not installed: `make test` installs it with apt-get")
    argv = [kcat, "-C", "-q", "-e", "-b", settings.kafka.bootstrap_servers, "-t", topico, "-o", "beginning"]
    argv += ["-f", "%p %o %T %S\n%s\n"]
    saida = subprocess.run(argv, check=True, timeout=60, capture_output=True, env=kcat_env(tmp_path)).stdout
    lidas, posicao = [], 0
    while posicao < len(saida):
        fim = saida.index(b"\n", posicao)
        particao, offset, carimbo, tamanho = (int(x) for x in saida[posicao:fim].split())
        valor = saida[fim + 1 : fim + 1 + tamanho]
        posicao = fim + 1 + tamanho + 1
        lidas.append((particao, offset, carimbo, valor))
    return lidas


def test_a_replay_equals_what_kcat_reads_once_decoded(settings: Settings, tmp_path: Path) -> None:
    nups = [gerar_nup(unidade=23037, sequencial=n, ano=2022) for n in range(1, 9)]
    produzir(
        settings.kafka,
        settings.kafka.topics.eventos,
        [_mensagem(_evento(n, nup=nups[n % 8].formatado)) for n in range(40)],
    )

    linhas = _jsonl(_replay(settings, "eventos"))

    catalogo = catalogo_padrao()
    esperado = sorted(
        (p, o, t, para_json(catalogo.decode("evento", v)))
        for p, o, t, v in _kcat(settings, settings.kafka.topics.eventos, tmp_path)
    )
    obtido = sorted(
        (
            linha.pop("kafka_particao"),
            linha.pop("kafka_offset"),
            _ms(linha.pop("kafka_carimbo")),
            {k: v for k, v in linha.items() if k != "kafka_topico"},
        )
        for linha in linhas
    )
    assert len(esperado) == 40
    assert obtido == esperado
    assert {
        linha_topico
        for linha_topico in (
            json.loads(x)["kafka_topico"] for x in _replay(settings, "eventos").stdout.splitlines()
        )
    } == {settings.kafka.topics.eventos}


def _ms(iso: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def test_a_replay_from_an_instant_starts_at_the_first_event_stamped_then(settings: Settings) -> None:
    # One batch, one partition, stamped a second apart: the lookup has to be exact inside a batch.
    producer = make_producer(settings.kafka, **{"linger.ms": 200})
    base = int(time.time() * 1000) - 100_000
    for n in range(20):
        chave, valor = _mensagem(_evento(n))
        producer.produce(
            settings.kafka.topics.eventos, key=chave, value=valor, partition=0, timestamp=base + n * 1000
        )
    assert producer.flush(15) == 0

    from datetime import UTC, datetime

    def instante(n: int) -> str:
        return datetime.fromtimestamp((base + n * 1000) / 1000, UTC).isoformat()

    linhas = _jsonl(_replay(settings, "eventos", "--desde", instante(7), "--ate", instante(12)))
    assert [linha["id"] for linha in linhas] == [f"rp-{n}" for n in range(7, 12)]
    # Between two stamps, and past the last one.
    meio = datetime.fromtimestamp((base + 7500) / 1000, UTC).isoformat()
    assert [linha["id"] for linha in _jsonl(_replay(settings, "eventos", "--desde", meio))][0] == "rp-8"
    assert _jsonl(_replay(settings, "eventos", "--desde", instante(25))) == []


def test_a_replay_by_offsets_and_filters_keeps_only_what_was_asked(settings: Settings) -> None:
    eventos = [_evento(n) for n in range(10)]
    eventos += [
        _evento(10, orgao="26000", nup=NUP_B.formatado),
        _evento(11, nup=NUP_A.formatado, operacao="RECEBIMENTO"),
    ]
    produzir(settings.kafka, settings.kafka.topics.eventos, [_mensagem(e) for e in eventos], particao=1)

    por_offset = _jsonl(_replay(settings, "eventos", "--desde", "3", "--ate", "6"))
    assert [(linha["kafka_particao"], linha["kafka_offset"], linha["id"]) for linha in por_offset] == [
        (1, 3, "rp-3"),
        (1, 4, "rp-4"),
        (1, 5, "rp-5"),
    ]
    assert [linha["id"] for linha in _jsonl(_replay(settings, "eventos", "--orgao", "26000"))] == ["rp-10"]
    # Any accepted NUP format: digits only here, punctuated in the events.
    assert [linha["id"] for linha in _jsonl(_replay(settings, "eventos", "--nup", NUP_B.digitos))] == [
        "rp-10"
    ]
    assert [linha["id"] for linha in _jsonl(_replay(settings, "eventos", "--operacao", "RECEBIMENTO"))] == [
        "rp-11"
    ]
    resultado = _replay(settings, "eventos", "--orgao", "23000", "--operacao", "ENVIO", "--ate", "5")
    assert [linha["id"] for linha in _jsonl(resultado)] == [f"rp-{n}" for n in range(5)]
    assert "linhas: 5, ilegíveis: 0, fora do filtro: 0" in resultado.stderr


def test_every_format_round_trips_to_the_same_rows(settings: Settings, tmp_path: Path) -> None:
    eventos = [_evento(n) for n in range(30)]
    eventos[3]["assunto"] = 'Licitação, "pregão"\nsegunda linha'
    produzir(settings.kafka, settings.kafka.topics.eventos, [_mensagem(e) for e in eventos])
    linhas = _jsonl(_replay(settings, "eventos"))
    chave = {(linha["kafka_particao"], linha["kafka_offset"]): linha for linha in linhas}

    parquet = tmp_path / "eventos.parquet"
    assert _replay(settings, "eventos", "--formato", "parquet", "--saida", str(parquet)).returncode == 0
    tabela = pq.read_table(parquet).to_pylist()
    assert len(tabela) == 30
    for linha in tabela:
        esperado = chave[(linha["kafka_particao"], linha["kafka_offset"])]
        assert linha["id"] == esperado["id"]
        assert linha["assunto"] == esperado["assunto"]
        assert linha["ocorrido_em"].isoformat() == esperado["ocorrido_em"]
        assert json.loads(linha["unidade_origem"]) == esperado["unidade_origem"]

    avro = tmp_path / "eventos.avro"
    assert _replay(settings, "eventos", "--formato", "avro", "--saida", str(avro)).returncode == 0
    with avro.open("rb") as arquivo:
        registros = list(fastavro.reader(arquivo))
    assert sorted((r["kafka_particao"], r["kafka_offset"], para_json(r)) for r in registros) == sorted(
        (k[0], k[1], linha) for k, linha in chave.items()
    )

    planilha = tmp_path / "eventos.csv"
    resultado = _replay(settings, "eventos", "--formato", "csv", "--saida", str(planilha))
    assert resultado.returncode == 0 and "linhas: 30, ilegíveis: 0" in resultado.stdout
    lidas = list(csv.DictReader(io.StringIO(planilha.read_text(encoding="utf-8"))))
    assert sorted(
        (int(r["kafka_offset"]), int(r["kafka_particao"]), r["id"], r["assunto"]) for r in lidas
    ) == sorted((k[1], k[0], linha["id"], linha["assunto"] or "") for k, linha in chave.items())


def test_an_undecodable_message_is_reported_with_its_place_and_the_replay_goes_on(settings: Settings) -> None:
    mensagens = [_mensagem(_evento(0)), (b"k", b"not avro at all"), _mensagem(_evento(1))]
    produzir(settings.kafka, settings.kafka.topics.eventos, mensagens, particao=2)

    resultado = _replay(settings, "eventos")

    assert [linha["id"] for linha in _jsonl(resultado)] == ["rp-0", "rp-1"]
    assert "mensagem ilegível na partição 2, offset 1: MENSAGEM_CORROMPIDA" in resultado.stderr
    assert "linhas: 2, ilegíveis: 1" in resultado.stderr


@pytest.mark.parametrize(
    ("args", "mensagem"),
    [
        (["nao.existe"], "tópico desconhecido: 'nao.existe'"),
        (["eventos", "--desde", "ontem"], "--desde 'ontem': use um offset"),
        (["eventos", "--desde", "2024-05-01T00:00:00"], "informe o fuso horário"),
        (["eventos", "--desde", "10", "--ate", "5"], "--ate 5 deve ser maior que --desde 10"),
        (["eventos", "--nup", "123"], "--nup '123'"),
        (["eventos", "--formato", "xlsx"], "--formato 'xlsx'"),
        (["eventos", "--formato", "parquet"], "precisa de --saida"),
    ],
)
def test_bad_input_is_a_pt_br_error_with_exit_status_2(
    settings: Settings, args: list[str], mensagem: str
) -> None:
    resultado = _replay(settings, *args)
    assert resultado.returncode == 2, resultado.stderr
    assert mensagem in resultado.stderr


def test_para_topico_republishes_the_original_bytes_key_and_headers(settings: Settings) -> None:
    chave, valor = _mensagem(_evento(0))
    producer = make_producer(settings.kafka)
    producer.produce(settings.kafka.topics.eventos, key=chave, value=valor, headers=[("origem", b"teste")])
    assert producer.flush(15) == 0
    destino = f"{settings.kafka.topics.eventos}.copia"

    resultado = _replay(settings, "eventos", "--para-topico", destino)
    assert resultado.returncode == 0, resultado.stderr
    assert f"linhas: 1, ilegíveis: 0, republicadas em {destino}" in resultado.stdout

    from protocolo.leitura import ler_ate_o_fim

    copias = list(ler_ate_o_fim(settings.kafka, destino, limite_s=30))
    assert [(m.key(), m.value(), m.headers()) for m in copias] == [(chave, valor, [("origem", b"teste")])]


def _por_particao(linhas: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    particoes: dict[int, list[dict[str, Any]]] = {}
    for linha in linhas:
        particoes.setdefault(linha["kafka_particao"], []).append(linha)
    return particoes


def test_decoding_workers_write_what_the_main_process_alone_writes(
    settings: Settings, tmp_path: Path
) -> None:
    """Several batches per worker (1,000 messages each), undecodable messages among them, a filter."""
    mensagens = [_mensagem(_evento(n, orgao="26000" if n % 7 == 0 else "23000")) for n in range(4_500)]
    for posicao in (10, 1_999, 3_001):
        mensagens.insert(posicao, (b"k", b"not avro at all"))
    produzir(settings.kafka, settings.kafka.topics.eventos, mensagens)

    resultados = {n: _replay(settings, "eventos", "--processos", str(n)) for n in (0, 2)}
    serial, paralelo = (_jsonl(resultados[n]) for n in (0, 2))

    assert len(serial) == 4_500
    # Each partition's rows in offset order, the same rows; partitions interleave as they were read.
    assert _por_particao(paralelo) == _por_particao(serial)
    for linhas in _por_particao(paralelo).values():
        offsets = [linha["kafka_offset"] for linha in linhas]
        assert offsets == sorted(offsets)
    ilegiveis = {n: sorted(x for x in resultados[n].stderr.splitlines() if "ilegível" in x) for n in (0, 2)}
    assert len(ilegiveis[0]) == 3 and ilegiveis[2] == ilegiveis[0]
    assert "linhas: 4500, ilegíveis: 3" in resultados[2].stderr

    filtrado = {
        n: _jsonl(_replay(settings, "eventos", "--orgao", "26000", "--processos", str(n))) for n in (0, 2)
    }
    assert len(filtrado[0]) == len(range(0, 4_500, 7)) and _por_particao(filtrado[2]) == _por_particao(
        filtrado[0]
    )

    tabelas = {}
    for n in (0, 2):
        arquivo = tmp_path / f"eventos-{n}.parquet"
        assert (
            _replay(
                settings, "eventos", "--formato", "parquet", "--saida", str(arquivo), "--processos", str(n)
            ).returncode
            == 0
        )
        tabelas[n] = pq.read_table(arquivo).to_pylist()
    assert len(tabelas[0]) == 4_500 and _por_particao(tabelas[2]) == _por_particao(tabelas[0])
