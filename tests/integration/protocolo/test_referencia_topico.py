"""Reference data on the real broker: loaded by the CLI, read whole, followed live, removed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from protocolo.referencia import Orgao, UnidadeRef
from protocolo.referencia_topico import ReferenciaViva, ler_referencia, publicar_referencia, remover_orgao
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually

ARQUIVO = {
    "versao": 1,
    "orgaos": [
        {
            "codigo": "26000",
            "sigla": "MEC-ANTIGO",
            "nome": "Ministério da Educação (código SIORG antigo)",
            "unidades": [
                {"codigo": "110", "sigla": "PROT-MEC", "nome": "Protocolo Central do MEC"},
                {
                    "codigo": "230",
                    "sigla": "CGGP",
                    "nome": "Coordenação-Geral de Gestão de Pessoas",
                    "superior": "110",
                },
            ],
        }
    ],
}


def _escrever(pasta: Path, dados: object) -> Path:
    arquivo = pasta / "orgaos.json"
    arquivo.write_text(json.dumps(dados, ensure_ascii=False), encoding="utf-8")
    return arquivo


def test_the_cli_loads_a_file_and_lists_what_readers_see(
    settings_factory: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)

    carga = run_cli(settings, "referencia", "load", str(_escrever(tmp_path, ARQUIVO)))
    lista = run_cli(settings, "referencia", "list")

    assert carga.returncode == 0, carga.stderr
    assert "publicados: 1 órgãos, 2 unidades" in carga.stdout
    assert lista.returncode == 0, lista.stderr
    assert "26000" in lista.stdout and "MEC-ANTIGO" in lista.stdout and "1 órgãos" in lista.stdout
    referencia = ler_referencia(settings.kafka)
    unidade = referencia.unidade("26000", "230")
    assert unidade == UnidadeRef("230", "CGGP", "Coordenação-Geral de Gestão de Pessoas", "110")


def test_a_bad_file_is_refused_with_the_field_at_fault_and_nothing_is_sent(
    settings_factory: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)
    ruim = json.loads(json.dumps(ARQUIVO))
    ruim["orgaos"][0]["unidades"][1]["superior"] = "999"

    resultado = run_cli(settings, "referencia", "load", str(_escrever(tmp_path, ruim)))

    assert resultado.returncode == 1
    assert "orgaos[0].unidades[1].superior" in resultado.stderr and "999" in resultado.stderr
    assert ler_referencia(settings.kafka).orgaos == ()


def test_an_empty_topic_reads_as_empty_reference_data(settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)

    assert ler_referencia(settings.kafka, timeout_s=20).orgaos == ()


def test_a_live_view_follows_upserts_and_tombstones(settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory()
    viva = ReferenciaViva(settings.kafka)
    try:
        assert viva.iniciar(timeout_s=20)
        assert viva.atual.orgao("23000") is not None  # the packaged sample, loaded by the fixture
        novo = Orgao("99001", "TESTE", "Órgão de Teste", (UnidadeRef("9900101", "GAB", "Gabinete"),))

        publicar_referencia(settings.kafka, [novo])
        eventually(lambda: viva.atual.orgao("99001") == novo, timeout=20, what="the new órgão")
        remover_orgao(settings.kafka, "23000")
        eventually(lambda: viva.atual.orgao("23000") is None, timeout=20, what="the tombstone")

        assert viva.atual.orgao("99001") == novo
    finally:
        viva.parar()
