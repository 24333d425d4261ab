"""Specification of the event contract (protocolo.validation): what passes, and every violation, at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import islice
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocolo.documentos import gerar_cnpj, gerar_cpf
from protocolo.errors import InvalidEvent, Violation
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import gerar_nup
from protocolo.validation import evento_from_json, evento_to_json
from tests.fixtures.eventos import CNPJ, CPF, ENVIO, NUP_FORMATADO

NUP = "23037001462202165"  # 23037.001462/2021-65
NUP_OUTRO = "60041001093202097"  # 60041.001093/2020-97
ORIGEM = {"codigo": "2300001", "sigla": "PROT", "nome": "Protocolo Central"}
DESTINO = {"codigo": "2300002", "sigla": "CGLIC", "nome": "Coordenação de Licitações"}

# The fields each operation needs beyond the ones every event has (written apart from validation._EXIGIDOS).
EXTRAS: dict[Operacao, dict[str, Any]] = {
    Operacao.AUTUACAO: {"unidade_origem": ORIGEM, "assunto": "Aquisição de material"},
    Operacao.ENVIO: {"unidade_origem": ORIGEM, "unidade_destino": DESTINO},
    Operacao.RECEBIMENTO: {"unidade_destino": DESTINO},
    Operacao.ANEXACAO: {"nup_relacionado": NUP_OUTRO},
    Operacao.DESANEXACAO: {"nup_relacionado": NUP_OUTRO},
    Operacao.RELACIONAMENTO: {"nup_relacionado": NUP_OUTRO},
    Operacao.JUNTADA: {"nup_relacionado": NUP_OUTRO},
}


def _evento(operacao: Operacao = Operacao.AUTUACAO, /, **campos: Any) -> dict[str, Any]:
    """A valid event in JSON form for `operacao`; keyword arguments override fields (None removes one)."""
    dados: dict[str, Any] = {
        "id": "SEI-23000-1",
        "orgao": "23000",
        "nup": NUP,
        "tipo": "PROCESSO",
        "operacao": operacao.value,
        "ocorrido_em": "2024-03-05T14:30:00-03:00",
        "nivel_acesso": "PUBLICO",
        **EXTRAS.get(operacao, {}),
    }
    for campo, valor in campos.items():
        if valor is None:
            dados.pop(campo, None)
        else:
            dados[campo] = valor
    return dados


def _violacoes(dados: Any) -> list[Violation]:
    with pytest.raises(InvalidEvent) as erro:
        evento_from_json(dados)
    return erro.value.violations


@pytest.mark.parametrize("operacao", list(Operacao), ids=str)
def test_a_valid_event_of_each_operacao_is_accepted(operacao: Operacao) -> None:
    evento = evento_from_json(_evento(operacao))

    assert evento.operacao is operacao
    assert evento.nup == NUP
    assert evento.identidade == ("23000", "SEI-23000-1")
    assert evento.ocorrido_em == datetime(2024, 3, 5, 17, 30, tzinfo=UTC)
    if "unidade_destino" in EXTRAS.get(operacao, {}):
        assert evento.unidade_destino == Unidade("2300002", "CGLIC", "Coordenação de Licitações")
    if "nup_relacionado" in EXTRAS.get(operacao, {}):
        assert evento.nup_relacionado == NUP_OUTRO


NORMALIZACOES = [
    # campo, valor enviado, atributo do Evento, valor lido
    ("nup", NUP_FORMATADO, "nup", NUP),
    ("nup", f"  {NUP}\n", "nup", NUP),
    ("nup_relacionado", "60041.001093/2020-97", "nup_relacionado", NUP_OUTRO),
    ("operacao", "autuacao", "operacao", Operacao.AUTUACAO),
    ("tipo", "documento", "tipo", TipoProtocolo.DOCUMENTO),
    ("nivel_acesso", "Restrito", "nivel_acesso", NivelAcesso.RESTRITO),
    ("ocorrido_em", "2024-03-05T17:30:00Z", "ocorrido_em", datetime(2024, 3, 5, 17, 30, tzinfo=UTC)),
    ("id", "  SEI-1  ", "id", "SEI-1"),
    ("assunto", "  Aquisição  ", "assunto", "Aquisição"),
    (
        "interessados",
        [
            {"nome": "Maria", "documento": "529.982.247-25"},
            {"nome": "ACME", "documento": "11.222.333/0001-81"},
        ],
        "interessados",
        (Interessado("Maria", CPF), Interessado("ACME", CNPJ)),
    ),
    ("interessados", [{"nome": "Sem documento"}], "interessados", (Interessado("Sem documento", None),)),
    ("unidade_origem", {"codigo": "2300001"}, "unidade_origem", Unidade("2300001")),
]


@pytest.mark.parametrize(("campo", "valor", "atributo", "esperado"), NORMALIZACOES)
def test_accepted_spellings_are_normalised(campo: str, valor: Any, atributo: str, esperado: Any) -> None:
    assert getattr(evento_from_json(_evento(**{campo: valor})), atributo) == esperado


def _futuro(horas: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=horas)).isoformat()


# Each row breaks exactly one rule of an otherwise valid AUTUACAO: (id, overrides, campo, motivo fragment).
VIOLACOES = [
    ("missing id", {"id": None}, "id", "campo obrigatório ausente"),
    ("blank id", {"id": "   "}, "id", "campo obrigatório ausente"),
    ("missing orgao", {"orgao": None}, "orgao", "campo obrigatório ausente"),
    ("missing nup", {"nup": None}, "nup", "campo obrigatório ausente"),
    ("missing tipo", {"tipo": None}, "tipo", "campo obrigatório ausente"),
    ("missing operacao", {"operacao": None}, "operacao", "campo obrigatório ausente"),
    ("missing ocorrido_em", {"ocorrido_em": None}, "ocorrido_em", "campo obrigatório ausente"),
    ("missing nivel_acesso", {"nivel_acesso": None}, "nivel_acesso", "campo obrigatório ausente"),
    (
        "unknown tipo",
        {"tipo": "PASTA"},
        "tipo",
        "valor 'PASTA' desconhecido; valores aceitos: PROCESSO, DOCUMENTO",
    ),
    (
        "unknown nivel_acesso",
        {"nivel_acesso": "PRIVADO"},
        "nivel_acesso",
        "valores aceitos: PUBLICO, RESTRITO, SIGILOSO",
    ),
    (
        "unknown operacao",
        {"operacao": "TRANSFERENCIA"},
        "operacao",
        "valores aceitos: " + ", ".join(o.value for o in Operacao),
    ),
    ("nup check digits", {"nup": "23037001462202162"}, "nup", "esperados 65, informados 62"),
    ("nup punctuated check digits", {"nup": "23037.001462/2021-56"}, "nup", "esperados 65, informados 56"),
    ("nup length", {"nup": "230370014622"}, "nup", "o NUP deve ter 17 dígitos"),
    ("nup letters", {"nup": "23037.00146X/2021-65"}, "nup", "caracteres inválidos"),
    (
        "nup_relacionado check digits",
        {"nup_relacionado": "60041001093202079"},
        "nup_relacionado",
        "esperados 97, informados 79",
    ),
    ("nup_relacionado is the nup", {"nup_relacionado": NUP}, "nup_relacionado", "próprio NUP"),
    (
        "nup_relacionado is the nup punctuated",
        {"nup_relacionado": NUP_FORMATADO},
        "nup_relacionado",
        "próprio NUP",
    ),
    ("date without offset", {"ocorrido_em": "2024-03-05T14:30:00"}, "ocorrido_em", "precisa do fuso horário"),
    ("date only", {"ocorrido_em": "2024-03-05"}, "ocorrido_em", "precisa do fuso horário"),
    ("date garbage", {"ocorrido_em": "05/03/2024 14:30"}, "ocorrido_em", "data inválida"),
    ("date in the future", {"ocorrido_em": _futuro(48)}, "ocorrido_em", "data no futuro"),
    (
        "bad CPF",
        {"interessados": [{"nome": "Maria", "documento": "529.982.247-24"}]},
        "interessados[0].documento",
        "CPF ou CNPJ com dígitos verificadores incorretos",
    ),
    (
        "bad CNPJ",
        {"interessados": [{"nome": "ACME", "documento": "11.222.333/0001-82"}]},
        "interessados[0].documento",
        "CPF ou CNPJ com dígitos verificadores incorretos",
    ),
    (
        "repeated-digit CPF",
        {"interessados": [{"nome": "Maria", "documento": "11111111111"}]},
        "interessados[0].documento",
        "dígitos verificadores incorretos",
    ),
    (
        "document of wrong length",
        {"interessados": [{"nome": "Maria", "documento": "123456789"}]},
        "interessados[0].documento",
        "recebidos 9",
    ),
    (
        "document of wrong type",
        {"interessados": [{"nome": "Maria", "documento": 52998224725}]},
        "interessados[0].documento",
        "deve ser texto, recebido int",
    ),
    (
        "interessado without nome",
        {"interessados": [{"documento": CPF}]},
        "interessados[0].nome",
        "campo obrigatório ausente",
    ),
    ("interessado not an object", {"interessados": ["Maria"]}, "interessados[0]", "deve ser um objeto"),
    ("interessados not a list", {"interessados": {"nome": "Maria"}}, "interessados", "deve ser uma lista"),
    ("id of wrong type", {"id": 123}, "id", "deve ser texto, recebido int"),
    ("orgao of wrong type", {"orgao": 23000}, "orgao", "deve ser texto, recebido int"),
    ("tipo of wrong type", {"tipo": ["PROCESSO"]}, "tipo", "deve ser texto, recebido list"),
    ("nup of wrong type", {"nup": 23037001462202165}, "nup", "deve ser texto, recebido int"),
    ("date of wrong type", {"ocorrido_em": 1709659800}, "ocorrido_em", "deve ser texto, recebido int"),
    ("unidade not an object", {"unidade_origem": "2300001"}, "unidade_origem", "deve ser um objeto"),
    ("unidade without codigo", {"unidade_origem": {"sigla": "PROT"}}, "unidade_origem.codigo", "obrigatório"),
    (
        "unidade codigo of wrong type",
        {"unidade_origem": {"codigo": 7}},
        "unidade_origem.codigo",
        "recebido int",
    ),
    ("assunto too long", {"assunto": "x" * 4001}, "assunto", "máximo 4000"),
    ("assunto of wrong type", {"assunto": True}, "assunto", "deve ser texto, recebido bool"),
    ("unknown field", {"prioridade": "alta"}, "prioridade", "campo desconhecido"),
    ("unknown field with a falsy value", {"prioridade": False}, "prioridade", "campo desconhecido"),
]


@pytest.mark.parametrize(
    ("sobrescritos", "campo", "motivo"), [v[1:] for v in VIOLACOES], ids=[v[0] for v in VIOLACOES]
)
def test_each_broken_rule_is_reported_once_on_its_field(
    sobrescritos: dict[str, Any], campo: str, motivo: str
) -> None:
    violacoes = _violacoes(_evento(**sobrescritos))

    assert [v.campo for v in violacoes] == [campo]
    assert motivo in violacoes[0].motivo


EXIGIDOS = [(operacao, campo) for operacao, extras in EXTRAS.items() for campo in extras]


@pytest.mark.parametrize(("operacao", "campo"), EXIGIDOS, ids=[f"{o}-without-{c}" for o, c in EXIGIDOS])
def test_operation_without_a_field_it_requires_is_rejected(operacao: Operacao, campo: str) -> None:
    violacoes = _violacoes(_evento(operacao, **{campo: None}))

    assert violacoes == [Violation(campo, f"obrigatório na operação {operacao.value}")]


def test_envio_without_unidade_destino_is_rejected() -> None:
    violacoes = _violacoes(_evento(Operacao.ENVIO, unidade_destino=None))

    assert violacoes == [Violation("unidade_destino", "obrigatório na operação ENVIO")]


def test_autuacao_with_blank_assunto_is_rejected_as_missing_it() -> None:
    assert _violacoes(_evento(assunto="   ")) == [Violation("assunto", "obrigatório na operação AUTUACAO")]


def test_a_broken_required_unidade_is_reported_once_not_also_as_missing() -> None:
    violacoes = _violacoes(_evento(Operacao.ENVIO, unidade_destino={"nome": "Sem código"}))

    assert [v.campo for v in violacoes] == ["unidade_destino.codigo"]


@pytest.mark.parametrize(
    "operacao",
    [o for o in Operacao if o not in EXTRAS],
    ids=str,
)
def test_operations_without_extra_requirements_accept_the_bare_event(operacao: Operacao) -> None:
    assert evento_from_json(_evento(operacao)).operacao is operacao


def test_a_date_within_the_clock_skew_tolerance_is_accepted() -> None:
    evento = evento_from_json(_evento(ocorrido_em=_futuro(0.5)))

    assert evento.ocorrido_em > datetime.now(UTC)


def test_all_violations_are_reported_at_once() -> None:
    dados = _evento(
        Operacao.ENVIO,
        nup="23037001462202162",
        unidade_destino=None,
        interessados=[{"nome": "Maria", "documento": "52998224724"}],
    )

    violacoes = _violacoes(dados)

    assert [v.campo for v in violacoes] == ["nup", "interessados[0].documento", "unidade_destino"]


def test_an_empty_object_lists_every_required_field() -> None:
    campos = [v.campo for v in _violacoes({})]

    assert campos == ["id", "orgao", "nup", "tipo", "operacao", "ocorrido_em", "nivel_acesso"]


def test_the_message_of_invalid_event_joins_every_violation() -> None:
    with pytest.raises(InvalidEvent, match=r"^id: campo obrigatório ausente; orgao: campo obrigatório"):
        evento_from_json(_evento(id=None, orgao=None))


@pytest.mark.parametrize("dados", [None, [], "evento", 42], ids=repr)
def test_something_other_than_an_object_is_rejected(dados: Any) -> None:
    assert _violacoes(dados) == [Violation("evento", "deve ser um objeto JSON")]


@pytest.mark.parametrize("operacao", list(Operacao), ids=str)
def test_json_round_trip_of_a_valid_event_of_each_operacao(operacao: Operacao) -> None:
    evento = evento_from_json(
        _evento(operacao, interessados=[{"nome": "Maria", "documento": CPF}], observacao="Urgente")
    )

    assert evento_from_json(evento_to_json(evento)) == evento


def test_json_round_trip_of_simulated_traffic() -> None:
    simulation = pytest.importorskip("cli.simulation.simulator")
    referencia = pytest.importorskip("protocolo.referencia").carregar_referencia()
    simulador = simulation.Simulator(simulation.SimulationConfig(seed=11), referencia)
    lidos = 0
    for dados in islice(simulador.eventos(), 500):
        try:
            evento = evento_from_json(dados)
        except InvalidEvent:
            continue  # the simulator sends a few broken events on purpose
        assert evento_from_json(evento_to_json(evento)) == evento
        lidos += 1
    # Exactly the events the simulator broke on purpose were refused; every other one was read.
    assert lidos == 500 - len(simulador.oracle().invalidos) > 400


# An explicit alphabet (accents, punctuation, a tab) keeps generation fast and the text realistic.
_ALFABETO = "abcçdeéfgãhiíjklmnoópqrstuúvwxyzABCÇDÉFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:/-()'\"\t"
_TEXTO = st.text(_ALFABETO, min_size=1, max_size=40).map(str.strip).filter(bool)
_FUSOS = st.sampled_from([UTC, timezone(timedelta(hours=-3)), timezone(timedelta(hours=5, minutes=30))])
_NUPS = st.builds(
    lambda u, s, a: gerar_nup(unidade=u, sequencial=s, ano=a).digitos,
    st.integers(0, 99_999),
    st.integers(0, 999_999),
    st.integers(1990, 2024),
)
_DOCUMENTOS = st.one_of(
    st.none(),
    st.randoms(use_true_random=False).map(gerar_cpf),
    st.randoms(use_true_random=False).map(gerar_cnpj),
)
_UNIDADES = st.builds(
    Unidade, codigo=_TEXTO.filter(lambda t: len(t) <= 50), sigla=st.none() | _TEXTO, nome=st.none() | _TEXTO
)


@st.composite
def eventos(draw: st.DrawFn) -> Evento:
    """Any valid Evento, with the fields its operation requires."""
    operacao = draw(st.sampled_from(Operacao))
    exigidos = EXTRAS.get(operacao, {})
    nup = draw(_NUPS)
    relacionado = draw(_NUPS.filter(lambda n: n != nup))
    return Evento(
        id=draw(_TEXTO),
        orgao=draw(_TEXTO.filter(lambda t: len(t) <= 20)),
        nup=nup,
        tipo=draw(st.sampled_from(TipoProtocolo)),
        operacao=operacao,
        ocorrido_em=draw(st.datetimes(datetime(2000, 1, 1), datetime(2024, 12, 31), timezones=_FUSOS)),
        nivel_acesso=draw(st.sampled_from(NivelAcesso)),
        unidade_origem=draw(_UNIDADES if "unidade_origem" in exigidos else st.none() | _UNIDADES),
        unidade_destino=draw(_UNIDADES if "unidade_destino" in exigidos else st.none() | _UNIDADES),
        especie=draw(st.none() | _TEXTO),
        assunto=draw(_TEXTO if "assunto" in exigidos else st.none() | _TEXTO),
        interessados=tuple(draw(st.lists(st.builds(Interessado, _TEXTO, _DOCUMENTOS), max_size=3))),
        observacao=draw(st.none() | _TEXTO),
        nup_relacionado=relacionado
        if "nup_relacionado" in exigidos
        else draw(st.none() | st.just(relacionado)),
    )


@given(eventos())
def test_json_round_trip_of_any_valid_event(evento: Evento) -> None:
    assert evento_from_json(evento_to_json(evento)) == evento


def test_a_date_no_timestamp_can_hold_is_refused_by_the_validator_before_it_reaches_intake() -> None:
    # Year 1 at +01:00 is year 0 in UTC: accepted, it would make every reader overflow.
    with pytest.raises(InvalidEvent) as erro:
        evento_from_json({**evento_to_json(ENVIO), "ocorrido_em": "0001-01-01T00:30:00+01:00"})

    assert [(v.campo, v.motivo) for v in erro.value.violations] == [
        ("ocorrido_em", "data implausível: 0001-01-01T00:30:00+01:00")
    ]
