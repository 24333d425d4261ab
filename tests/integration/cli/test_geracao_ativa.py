"""After a rebuild switched the generation, the audit commands and the gateway's rejections read the
active generation's derived topics: `protocolo replay dlq`, `protocolo dlq list`, GET
/api/v1/eventos/rejeitados' reader. Real broker; the pointer is written as `protocolo rebuild` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from api.rejeitados_vivos import RejeitadosVivos
from protocolo.avro import catalogo_padrao
from protocolo.geracao import na_geracao
from protocolo.geracao_topico import GeracaoViva, gravar_ponteiro
from protocolo.kafka import create_topics
from protocolo.nup import gerar_nup
from protocolo.registros import dead_letter_record, evento_json_to_avro
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir
from tests.fixtures.pipeline import PROTOCOLO, evento

NUP = gerar_nup(unidade=23037, sequencial=77, ano=2024)


def _carta(motivo: str, orgao: str = "26000") -> tuple[bytes, bytes]:
    catalogo = catalogo_padrao()
    dados = evento(NUP, 1, "ENVIO", id=f"ga-{motivo}", orgao=orgao, unidade_origem=PROTOCOLO, interessados=[])
    registro = dead_letter_record(
        codigo="EVENTO_INVALIDO",
        motivo=motivo,
        topico="tramitacao.eventos",
        particao=0,
        offset=1,
        chave=NUP.digitos.encode(),
        valor=catalogo.encode("evento", evento_json_to_avro(dados)),
        registrado_em=datetime(2024, 1, 1, tzinfo=UTC),
    )
    return NUP.digitos.encode(), catalogo.encode("dead_letter", registro)


def _motivos(settings: Settings, *args: str) -> list[str]:
    resultado = run_cli(settings, "replay", *args, "--formato", "jsonl")
    assert resultado.returncode == 0, resultado.stderr
    return [json.loads(linha)["motivo"] for linha in resultado.stdout.splitlines() if linha.strip()]


def test_after_a_switch_replay_dlq_and_the_rejections_reader_follow_the_active_generation(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory()
    segunda = na_geracao(settings, 2)
    create_topics(segunda.kafka)
    produzir(settings.kafka, settings.kafka.topics.dlq, [_carta("da geração 1")])
    produzir(segunda.kafka, segunda.kafka.topics.dlq, [_carta("da geração 2")])

    geracao = GeracaoViva(settings)
    geracao.iniciar(timeout_s=10)
    leitor = RejeitadosVivos(
        settings.kafka, catalogo_padrao(), por_orgao=10, topico=lambda: geracao.settings().kafka.topics.dlq
    )
    leitor.iniciar()
    try:

        def motivos_vistos() -> list[str]:
            return (
                [r.motivo for r in leitor.atual.pagina("26000", tamanho=10).items] if leitor.carregada else []
            )

        assert eventually(motivos_vistos, what="generation 1's rejections") == ["da geração 1"]
        assert _motivos(settings, "dlq") == ["da geração 1"]

        gravar_ponteiro(segunda, 2)
        eventually(lambda: motivos_vistos() == ["da geração 2"], what="the reader on generation 2's DLQ")
        assert _motivos(settings, "dlq") == ["da geração 2"]  # the alias: the active generation
        # A replaced generation stays readable by its name.
        assert _motivos(settings, settings.kafka.topics.dlq) == ["da geração 1"]
        listadas = run_cli(settings, "dlq", "list")
        assert listadas.returncode == 0, listadas.stderr
        assert "da geração 2" in listadas.stdout and "da geração 1" not in listadas.stdout
    finally:
        leitor.parar()
        geracao.parar()
