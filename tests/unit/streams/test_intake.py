"""streams.intake: a consumed message becomes an event or a rejection with its reason."""

from __future__ import annotations

import copy
import io
import json
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

import fastavro
import pytest

from protocolo.avro import SCHEMAS_DIR, Catalogo
from protocolo.errors import InvalidEvent, Violation
from protocolo.referencia import carregar_referencia
from protocolo.registros import evento_to_avro
from protocolo.validation import evento_from_json
from streams.intake import Rejeicao, ler_evento
from tests.fixtures.eventos import (
    AUTUACAO,
    ENVIO,
    NUP,
    T0,
)


@pytest.fixture(scope="module")
def catalogo() -> Catalogo:
    return Catalogo()


def test_ler_evento_returns_the_event_of_a_valid_message(catalogo: Catalogo) -> None:
    for evento in (AUTUACAO, ENVIO):
        assert ler_evento(catalogo, catalogo.encode("evento", evento_to_avro(evento))) == evento


@pytest.mark.parametrize("valor", [None, b""], ids=["none", "empty"])
def test_ler_evento_rejects_an_empty_message_as_corrupt(catalogo: Catalogo, valor: bytes | None) -> None:
    assert ler_evento(catalogo, valor) == Rejeicao("MENSAGEM_CORROMPIDA", "mensagem vazia")


@pytest.mark.parametrize(
    "valor",
    [b"garbage", b'{"id": "SEI-1", "nup": "23037001462202165"}', b"\xc3\x01"],
    ids=["garbage", "json", "magic-only"],
)
def test_ler_evento_rejects_undecodable_bytes_as_corrupt(catalogo: Catalogo, valor: bytes) -> None:
    rejeicao = ler_evento(catalogo, valor)

    assert isinstance(rejeicao, Rejeicao)
    assert (rejeicao.codigo, rejeicao.violacoes) == ("MENSAGEM_CORROMPIDA", [])


@pytest.mark.parametrize("corte", [10, 30, -5], ids=["header-only", "half", "last-bytes-missing"])
def test_ler_evento_rejects_a_truncated_body_as_corrupt(catalogo: Catalogo, corte: int) -> None:
    mensagem = catalogo.encode("evento", evento_to_avro(ENVIO))

    rejeicao = ler_evento(catalogo, mensagem[:corte])

    assert isinstance(rejeicao, Rejeicao) and rejeicao.codigo == "MENSAGEM_CORROMPIDA"


def test_ler_evento_rejects_an_unknown_fingerprint_as_unknown_schema(catalogo: Catalogo) -> None:
    mensagem = catalogo.encode("evento", evento_to_avro(ENVIO))

    rejeicao = ler_evento(catalogo, mensagem[:2] + b"\xff" * 8 + mensagem[10:])

    assert isinstance(rejeicao, Rejeicao)
    assert rejeicao.codigo == "ESQUEMA_DESCONHECIDO"
    assert "ffffffffffffffff" in rejeicao.motivo


def test_ler_evento_rejects_another_record_as_unknown_schema(catalogo: Catalogo) -> None:
    registro = {"nup": NUP, "email": "cidada@example.org", "criada_em": T0}

    rejeicao = ler_evento(catalogo, catalogo.encode("inscricao", registro))

    assert isinstance(rejeicao, Rejeicao) and rejeicao.codigo == "ESQUEMA_DESCONHECIDO"


INVALIDOS_NO_DOMINIO = [
    # (id, campos do registro Avro, violações)
    (
        "bad nup",
        {"nup": "23037001462202162"},
        [Violation("nup", "dígitos verificadores incorretos: esperados 65, informados 62")],
    ),
    (
        "envio without destino",
        {"unidade_destino": None},
        [Violation("unidade_destino", "obrigatório na operação ENVIO")],
    ),
    (
        "unknown operacao and missing id",
        {"operacao": "TRANSFERENCIA", "id": ""},
        [Violation("id", "campo obrigatório ausente"), Violation("operacao", "")],
    ),
    ("future date", {"ocorrido_em": datetime.now(UTC) + timedelta(days=2)}, [Violation("ocorrido_em", "")]),
    (
        "bad cpf",
        {"interessados": [{"nome": "Maria", "documento": "52998224724"}]},
        [Violation("interessados[0].documento", "CPF ou CNPJ com dígitos verificadores incorretos")],
    ),
]


@pytest.mark.parametrize(
    ("campos", "violacoes"), [i[1:] for i in INVALIDOS_NO_DOMINIO], ids=[i[0] for i in INVALIDOS_NO_DOMINIO]
)
def test_an_avro_valid_but_domain_invalid_event_is_rejected_with_its_violations(
    catalogo: Catalogo, campos: dict[str, Any], violacoes: list[Violation]
) -> None:
    mensagem = catalogo.encode("evento", {**evento_to_avro(ENVIO), **campos})

    rejeicao = ler_evento(catalogo, mensagem)

    assert isinstance(rejeicao, Rejeicao)
    assert rejeicao.codigo == "EVENTO_INVALIDO"
    assert rejeicao.motivo.startswith("evento inválido: ")
    assert [v.campo for v in rejeicao.violacoes] == [v.campo for v in violacoes]
    for obtida, esperada in zip(rejeicao.violacoes, violacoes, strict=True):
        assert esperada.motivo in obtida.motivo


def _com_ocorrido_em_cru(catalogo: Catalogo, milissegundos: int) -> bytes:
    """An evento message whose timestamp is any Avro long, even one no datetime can hold."""
    esquema = copy.deepcopy(json.loads((SCHEMAS_DIR / "evento.v1.avsc").read_text(encoding="utf-8")))
    next(c for c in esquema["fields"] if c["name"] == "ocorrido_em")["type"] = "long"  # same bytes
    corpo = io.BytesIO()
    fastavro.schemaless_writer(
        corpo,
        fastavro.parse_schema(esquema, _force=True),
        {**evento_to_avro(ENVIO), "ocorrido_em": milissegundos},
    )
    return catalogo.encode("evento", evento_to_avro(ENVIO))[:10] + corpo.getvalue()


@pytest.mark.parametrize("milissegundos", [253_402_300_800_000, -62_135_596_800_001, 2**62])
def test_a_timestamp_no_datetime_can_hold_is_rejected_not_raised(
    catalogo: Catalogo, milissegundos: int
) -> None:
    resultado = ler_evento(catalogo, _com_ocorrido_em_cru(catalogo, milissegundos))

    assert isinstance(resultado, Rejeicao) and resultado.codigo == "MENSAGEM_CORROMPIDA"


def test_every_valid_simulated_event_survives_the_avro_trip_through_intake(catalogo: Catalogo) -> None:
    simulation = pytest.importorskip("cli.simulation.simulator")
    simulador = simulation.Simulator(simulation.SimulationConfig(seed=13), carregar_referencia())
    lidos = 0
    for dados in islice(simulador.eventos(), 400):
        try:
            evento = evento_from_json(dados)
        except InvalidEvent:
            continue
        assert ler_evento(catalogo, catalogo.encode("evento", evento_to_avro(evento))) == evento
        lidos += 1
    # Exactly the events the simulator broke on purpose were refused; every other one made the trip.
    assert lidos == 400 - len(simulador.oracle().invalidos) > 300
