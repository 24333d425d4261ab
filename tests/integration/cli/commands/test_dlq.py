"""`protocolo dlq list|show` against the real broker: filters, counts by code, masked content, both DLQs."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from protocolo.avro import catalogo_padrao
from protocolo.documentos import gerar_cpf
from protocolo.nup import gerar_nup
from protocolo.registros import dead_letter_record, evento_json_to_avro
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.kafka import produzir

NUP = gerar_nup(unidade=23037, sequencial=1462, ano=2021)
CPF = gerar_cpf(random.Random(42))


def _carta(n: int, orgao: str, codigo: str, *, quando: datetime) -> tuple[bytes, bytes]:
    catalogo = catalogo_padrao()
    evento = {
        "id": f"dl-{n}",
        "orgao": orgao,
        "nup": NUP.formatado,
        "tipo": "PROCESSO",
        "operacao": "AUTUACAO",
        "ocorrido_em": "2021-03-02T10:00:00-03:00",
        "nivel_acesso": "PUBLICO",
        "interessados": [{"nome": "Fulano", "documento": CPF}],
    }
    registro = dead_letter_record(
        codigo=codigo,
        motivo=f"motivo {n}",
        topico="tramitacao.eventos",
        particao=0,
        offset=n,
        chave=NUP.digitos.encode(),
        valor=catalogo.encode("evento", evento_json_to_avro(evento)),
        registrado_em=quando,
    )
    return NUP.digitos.encode(), catalogo.encode("dead_letter", registro)


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    settings = settings_factory(carregar_referencia_exemplo=False)
    quando = datetime(2024, 1, 1, tzinfo=UTC)
    cartas = [
        _carta(0, "23000", "EVENTO_INVALIDO", quando=quando),
        _carta(1, "23000", "CONFLITO", quando=quando),
    ]
    cartas += [_carta(2, "26000", "EVENTO_INVALIDO", quando=quando), (b"k", b"not a dead letter")]
    produzir(settings.kafka, settings.kafka.topics.dlq, cartas, particao=0)
    produzir(
        settings.kafka,
        settings.kafka.topics.dlq_indexacao,
        [_carta(9, "23000", "DOCUMENTO_REJEITADO", quando=quando)],
    )
    return settings


def test_dlq_list_counts_by_code_and_filters_by_orgao_and_code(settings: Settings) -> None:
    tudo = run_cli(settings, "dlq", "list")
    assert tudo.returncode == 0, tudo.stderr
    assert "3 cartas, 3 listadas" in tudo.stdout
    assert "EVENTO_INVALIDO │ 2" in tudo.stdout and "CONFLITO        │ 1" in tudo.stdout
    assert "mensagem ilegível na partição 0, offset 3" in tudo.stderr

    do_orgao = run_cli(settings, "dlq", "list", "--orgao", "23000", "--codigo", "evento_invalido")
    assert do_orgao.returncode == 0, do_orgao.stderr
    assert (
        "1 cartas, 1 listadas" in do_orgao.stdout
        and "dl-0" in do_orgao.stdout
        and "dl-2" not in do_orgao.stdout
    )

    indexacao = run_cli(settings, "dlq", "list", "--topico", "dlq_indexacao")
    assert "DOCUMENTO_REJEITADO" in indexacao.stdout and "1 cartas" in indexacao.stdout

    recente = run_cli(settings, "dlq", "list", "--desde", "2", "--orgao", "26000")
    assert "1 cartas" in recente.stdout


def test_dlq_show_prints_each_dead_letter_whole_with_cpfs_masked(settings: Settings) -> None:
    resultado = run_cli(settings, "dlq", "show", "0/1")
    assert resultado.returncode == 0, resultado.stderr
    assert f"carta {settings.kafka.topics.dlq}/0/1" in resultado.stdout
    assert (
        "código: CONFLITO" in resultado.stdout
        and "mensagem original: tramitacao.eventos/0/1" in resultado.stdout
    )
    assert '"id": "dl-1"' in resultado.stdout
    assert CPF not in resultado.stdout and f"***.{CPF[3:6]}.{CPF[6:9]}-**" in resultado.stdout
    assert "1 cartas" in resultado.stdout


@pytest.mark.parametrize(
    ("args", "mensagem"),
    [
        (["list", "--topico", "eventos"], "não é um tópico de cartas mortas"),
        (["show", "zero"], "posição 'zero'"),
        (["list", "--desde", "ontem"], "--desde 'ontem'"),
        (["redrive"], "escolha as cartas"),
    ],
)
def test_bad_dlq_input_is_a_pt_br_error_with_exit_status_2(
    settings: Settings, args: list[str], mensagem: str
) -> None:
    resultado = run_cli(settings, "dlq", *args)
    assert resultado.returncode == 2, resultado.stderr
    assert mensagem in resultado.stderr


def _cabecalhos_de_reenvio(settings: Settings) -> list[str]:
    from protocolo.leitura import ler_ate_o_fim

    nomes = []
    for mensagem in ler_ate_o_fim(settings.kafka, settings.kafka.topics.eventos):
        nomes += [v.decode() for k, v in mensagem.headers() or () if k == "protocolo-dead-letter"]
    return nomes


def test_a_large_redrive_sends_each_selected_dead_letter_once_in_batches(
    settings_factory: Callable[..., Settings],
) -> None:
    """3,000 dead letters (three send batches), every third one of another code inside the extent."""
    settings = settings_factory(carregar_referencia_exemplo=False)
    quando = datetime(2024, 1, 1, tzinfo=UTC)
    codigos = ("EVENTO_INVALIDO", "EVENTO_INVALIDO", "CONFLITO")
    cartas = [_carta(n, "23000", codigos[n % 3], quando=quando) for n in range(3_000)]
    produzir(settings.kafka, settings.kafka.topics.dlq, cartas)

    primeiro = run_cli(settings, "dlq", "redrive", "--codigo", "EVENTO_INVALIDO")
    assert primeiro.returncode == 0, primeiro.stderr
    assert "reenviadas: 2000, já reenviadas antes: 0" in primeiro.stdout
    nomes = _cabecalhos_de_reenvio(settings)
    assert len(nomes) == len(set(nomes)) == 2_000

    segundo = run_cli(settings, "dlq", "redrive", "--todas")
    assert segundo.returncode == 0, segundo.stderr
    assert "reenviadas: 1000, já reenviadas antes: 2000" in segundo.stdout
    nomes = _cabecalhos_de_reenvio(settings)
    assert len(nomes) == len(set(nomes)) == 3_000
    assert {nome.rsplit("/", 2)[0] for nome in nomes} == {settings.kafka.topics.dlq}
