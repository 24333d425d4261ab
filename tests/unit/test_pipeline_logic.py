"""Specification of the services' pure logic: intake, projection, index actions, e-mail, subscriptions."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import islice
from typing import Any

import fastavro
import pytest

from indexer.documents import Acao, acoes_do_lote, documento_movimento, documento_processo
from notifier.messages import Inscrito, message_id, render_email
from notifier.subscriptions import Inscricoes
from protocolo.avro import SCHEMAS_DIR, Catalogo
from protocolo.errors import InvalidEvent, Violation
from protocolo.fold import Processo, fold_processo
from protocolo.masking import hash_documento
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.referencia import Referencia, carregar_referencia
from protocolo.registros import evento_to_avro
from protocolo.validation import evento_from_json, evento_to_json
from streams.intake import Rejeicao, ler_evento
from streams.projection import eh_publico, movimento_record, snapshot_record
from tests.fixtures.lotes import PistaDeLotes

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
NUP = "23037001462202165"
NUP_FORMATADO = "23037.001462/2021-65"
NUP_OUTRO = "60041001093202097"
CPF = "52998224725"
CPF_PONTUADO = "529.982.247-25"
OUTRO_CPF = "11144477735"
CNPJ = "11222333000181"
SEGREDO = b"segredo de teste"
PROTOCOLO = Unidade("2300001", "PROT", "Protocolo Central")
CGLIC = Unidade("2300002", "CGLIC", "Coordenação de Licitações")

AUTUACAO = Evento(
    id="SEI-1",
    orgao="23000",
    nup=NUP,
    tipo=TipoProtocolo.PROCESSO,
    operacao=Operacao.AUTUACAO,
    ocorrido_em=T0,
    nivel_acesso=NivelAcesso.PUBLICO,
    unidade_origem=PROTOCOLO,
    especie="Requerimento",
    assunto=f"Pedido de aposentadoria de {OUTRO_CPF}",
    interessados=(
        Interessado(f"Maria da Silva {CPF_PONTUADO}", CPF),
        Interessado("José Souza", OUTRO_CPF),
        Interessado("ACME Ltda", CNPJ),
    ),
)
ENVIO = Evento(
    id="SEI-2",
    orgao="23000",
    nup=NUP,
    tipo=TipoProtocolo.PROCESSO,
    operacao=Operacao.ENVIO,
    ocorrido_em=T0 + timedelta(hours=1),
    nivel_acesso=NivelAcesso.PUBLICO,
    unidade_origem=PROTOCOLO,
    unidade_destino=CGLIC,
    observacao=f"Interessada CPF {CPF_PONTUADO} notificada; ver também {CPF}",
)


@pytest.fixture(scope="module")
def catalogo() -> Catalogo:
    return Catalogo()


@pytest.fixture(scope="module")
def referencia() -> Referencia:
    return carregar_referencia()


def _com_nivel(nivel: NivelAcesso) -> Processo:
    return fold_processo([replace(AUTUACAO, nivel_acesso=nivel), replace(ENVIO, nivel_acesso=nivel)])


def _textos(valor: Any) -> Iterator[str]:
    """Every string inside a record, however deeply nested."""
    if isinstance(valor, str):
        yield valor
    elif isinstance(valor, dict):
        for chave, item in valor.items():
            yield str(chave)
            yield from _textos(item)
    elif isinstance(valor, list | tuple):
        for item in valor:
            yield from _textos(item)


def _cpfs_visiveis(registro: dict[str, Any]) -> list[str]:
    formas = {c for cpf in (CPF, OUTRO_CPF) for c in (cpf, f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}")}
    return [t for t in _textos(registro) if any(f in t for f in formas)]


# --- intake ---


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


def test_a_date_no_timestamp_can_hold_is_refused_by_the_validator_before_it_reaches_intake() -> None:
    # Year 1 at +01:00 is year 0 in UTC: accepted, it would make every reader overflow.
    with pytest.raises(InvalidEvent) as erro:
        evento_from_json({**evento_to_json(ENVIO), "ocorrido_em": "0001-01-01T00:30:00+01:00"})

    assert [(v.campo, v.motivo) for v in erro.value.violations] == [
        ("ocorrido_em", "data implausível: 0001-01-01T00:30:00+01:00")
    ]


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
    assert lidos > 300


CLASSIFICACOES = [
    ("nothing known", (), ENVIO, "novos"),
    ("other events known", (AUTUACAO,), ENVIO, "novos"),
    ("same id from another orgao", (ENVIO,), replace(ENVIO, orgao="25000"), "novos"),
    ("exact resend", (AUTUACAO, ENVIO), ENVIO, "duplicados"),
    ("same identity, other observacao", (ENVIO,), replace(ENVIO, observacao="outra"), "conflitos"),
    ("same identity, other destino", (ENVIO,), replace(ENVIO, unidade_destino=PROTOCOLO), "conflitos"),
    ("same identity, other time", (ENVIO,), replace(ENVIO, ocorrido_em=T0), "conflitos"),
]


@pytest.mark.parametrize(
    ("conhecidos", "evento", "contagem"), [c[1:] for c in CLASSIFICACOES], ids=[c[0] for c in CLASSIFICACOES]
)
def test_the_batch_step_tells_new_events_from_resends_and_conflicts(
    conhecidos: tuple[Evento, ...], evento: Evento, contagem: str, pista: PistaDeLotes
) -> None:
    pista.passar(*conhecidos)

    lote = pista.passar(evento)

    assert lote.contagens[contagem] == 1
    assert sum(lote.contagens[c] for c in ("novos", "duplicados", "conflitos")) == 1
    assert [c for c, _ in lote.dlq_por_codigo.items()] == (["CONFLITO"] if contagem == "conflitos" else [])


def test_a_resend_with_the_time_written_in_another_offset_is_a_duplicate_after_intake(
    pista: PistaDeLotes,
) -> None:
    brasilia = replace(ENVIO, ocorrido_em=ENVIO.ocorrido_em.astimezone(timezone(timedelta(hours=-3))))
    pista.passar(ENVIO)

    assert pista.passar(brasilia).contagens["duplicados"] == 1


# --- public projection ---


@pytest.mark.parametrize(
    ("nivel", "restrito_publico", "publico"),
    [
        (NivelAcesso.PUBLICO, False, True),
        (NivelAcesso.PUBLICO, True, True),
        (NivelAcesso.RESTRITO, False, False),
        (NivelAcesso.RESTRITO, True, True),
        (NivelAcesso.SIGILOSO, False, False),
        (NivelAcesso.SIGILOSO, True, False),
    ],
)
def test_eh_publico(nivel: NivelAcesso, restrito_publico: bool, publico: bool) -> None:
    assert eh_publico(nivel, restrito_publico=restrito_publico) is publico


@pytest.mark.parametrize(
    ("nivel", "restrito_publico"),
    [(NivelAcesso.SIGILOSO, False), (NivelAcesso.SIGILOSO, True), (NivelAcesso.RESTRITO, False)],
)
def test_a_non_public_snapshot_carries_nothing_but_nup_versao_and_publico_false(
    referencia: Referencia, nivel: NivelAcesso, restrito_publico: bool
) -> None:
    registro = snapshot_record(
        _com_nivel(nivel), referencia, segredo=SEGREDO, restrito_publico=restrito_publico
    )

    assert registro == {"nup": NUP, "versao": 2, "publico": False}


def test_a_restrito_snapshot_is_public_when_the_setting_allows_it(referencia: Referencia) -> None:
    registro = snapshot_record(
        _com_nivel(NivelAcesso.RESTRITO), referencia, segredo=SEGREDO, restrito_publico=True
    )

    assert (registro["publico"], registro["nivel_acesso"], registro["versao"]) == (True, "RESTRITO", 2)
    assert registro["assunto"] is not None and len(registro["unidades"]) == 2


def test_a_processo_made_sigiloso_later_becomes_a_removal_order(referencia: Referencia) -> None:
    sigilo = Evento(
        id="SEI-3",
        orgao="23000",
        nup=NUP,
        tipo=TipoProtocolo.PROCESSO,
        operacao=Operacao.ALTERACAO_NIVEL_ACESSO,
        ocorrido_em=T0 + timedelta(hours=2),
        nivel_acesso=NivelAcesso.SIGILOSO,
    )

    registro = snapshot_record(
        fold_processo([AUTUACAO, ENVIO, sigilo]), referencia, segredo=SEGREDO, restrito_publico=True
    )

    assert registro == {"nup": NUP, "versao": 3, "publico": False}


def test_a_public_snapshot_never_shows_a_whole_cpf(referencia: Referencia) -> None:
    registro = snapshot_record(
        fold_processo([AUTUACAO, ENVIO]), referencia, segredo=SEGREDO, restrito_publico=False
    )

    assert _cpfs_visiveis(registro) == []
    assert registro["publico"] is True
    assert [i["nome"] for i in registro["interessados"]] == [
        "Maria da Silva ***.982.247-**",
        "José Souza",
        "ACME Ltda",
    ]
    assert [i["documento_mascarado"] for i in registro["interessados"]] == [
        "***.982.247-**",
        "***.444.777-**",
        "11.222.333/0001-81",
    ]
    assert registro["assunto"] == "Pedido de aposentadoria de ***.444.777-**"
    assert registro["observacoes_recentes"] == [
        "Interessada CPF ***.982.247-** notificada; ver também ***.982.247-**"
    ]


def test_a_public_snapshot_carries_the_keyed_hash_of_each_document(referencia: Referencia) -> None:
    registro = snapshot_record(fold_processo([AUTUACAO]), referencia, segredo=SEGREDO, restrito_publico=False)

    assert [i["documento_hash"] for i in registro["interessados"]] == [
        hash_documento(SEGREDO, CPF),
        hash_documento(SEGREDO, OUTRO_CPF),
        hash_documento(SEGREDO, CNPJ),
    ]
    outro_segredo = snapshot_record(
        fold_processo([AUTUACAO]), referencia, segredo=b"x", restrito_publico=False
    )
    assert outro_segredo["interessados"][0]["documento_hash"] != registro["interessados"][0]["documento_hash"]


def test_a_public_snapshot_has_the_processo_state_and_agency_names(referencia: Referencia) -> None:
    registro = snapshot_record(
        fold_processo([AUTUACAO, ENVIO]), referencia, segredo=SEGREDO, restrito_publico=False
    )

    assert registro["orgao_nome"] == registro["orgao_atual_nome"] == "Ministério da Educação"
    assert (registro["situacao"], registro["ultima_operacao"], registro["em_transito"]) == (
        "EM_TRAMITACAO",
        "ENVIO",
        True,
    )
    assert registro["localizacao"] == {
        "codigo": "2300002",
        "sigla": "CGLIC",
        "nome": "Coordenação de Licitações",
    }
    assert [u["sigla"] for u in registro["unidades"]] == ["PROT", "CGLIC"]
    assert registro["dias_movimentados"] == [T0.date()]
    assert "historico" not in registro


def test_a_cpf_written_in_especie_is_masked_in_the_public_snapshot(referencia: Referencia) -> None:
    autuacao = replace(AUTUACAO, especie=f"Requerimento de {CPF_PONTUADO}")

    registro = snapshot_record(fold_processo([autuacao]), referencia, segredo=SEGREDO, restrito_publico=False)

    assert _cpfs_visiveis(registro) == []


def test_a_movimento_record_masks_cpfs_and_names_its_snapshot_version(referencia: Referencia) -> None:
    processo = fold_processo([AUTUACAO, ENVIO])

    registro = movimento_record(ENVIO, processo, referencia)

    assert _cpfs_visiveis(registro) == []
    assert registro["id"] == "23000:SEI-2"
    assert (registro["operacao"], registro["processo_versao"]) == ("ENVIO", 2)
    assert registro["orgao_nome"] == "Ministério da Educação"
    assert registro["assunto"] == "Pedido de aposentadoria de ***.444.777-**"
    assert registro["unidade_destino"] == {
        "codigo": "2300002",
        "sigla": "CGLIC",
        "nome": "Coordenação de Licitações",
    }


# --- index actions ---


def _snapshot(eventos: list[Evento], referencia: Referencia) -> dict[str, Any]:
    return snapshot_record(fold_processo(eventos), referencia, segredo=SEGREDO, restrito_publico=False)


def test_acoes_do_lote_keeps_only_the_newest_snapshot_per_nup_and_dedupes_movimentos(
    referencia: Referencia,
) -> None:
    conclusao = replace(ENVIO, id="SEI-3", operacao=Operacao.CONCLUSAO, ocorrido_em=T0 + timedelta(hours=2))
    v1, v2, v3 = (_snapshot([AUTUACAO, ENVIO, conclusao][:n], referencia) for n in (1, 2, 3))
    sigiloso = {"nup": NUP_OUTRO, "versao": 4, "publico": False}
    processo = fold_processo([AUTUACAO, ENVIO])
    m1, m2 = movimento_record(AUTUACAO, processo, referencia), movimento_record(ENVIO, processo, referencia)

    acoes = acoes_do_lote(
        [v2, v3, sigiloso, v1, v2],
        [m1, m2, m1, m2, m1],
        indice_processos="processos",
        indice_movimentos="movs",
    )

    assert acoes == [
        Acao("processos", NUP, documento_processo(v3), versao=3),
        Acao("processos", NUP_OUTRO, {"nup": NUP_OUTRO, "versao": 4, "publico": False}, versao=4),
        Acao("movs", "23000:SEI-1", documento_movimento(m1)),
        Acao("movs", "23000:SEI-2", documento_movimento(m2)),
    ]


def test_snapshot_actions_use_external_versioning_and_movimentos_do_not() -> None:
    processo = Acao("processos", NUP, {"nup": NUP}, versao=7).to_bulk()
    movimento = Acao("movs", "23000:SEI-1", {"id": "23000:SEI-1"}).to_bulk()

    assert processo == {
        "_op_type": "index",
        "_index": "processos",
        "_id": NUP,
        "_source": {"nup": NUP},
        "version": 7,
        "version_type": "external",
    }
    assert "version" not in movimento and "version_type" not in movimento


def test_documento_processo_of_a_non_public_snapshot_is_a_tombstone(referencia: Referencia) -> None:
    registro = snapshot_record(
        _com_nivel(NivelAcesso.SIGILOSO), referencia, segredo=SEGREDO, restrito_publico=False
    )

    assert documento_processo(registro) == {"nup": NUP, "versao": 2, "publico": False}


def test_documento_processo_of_a_public_snapshot_is_searchable(referencia: Referencia) -> None:
    documento = documento_processo(_snapshot([ENVIO, AUTUACAO], referencia))

    assert documento["nup_formatado"] == NUP_FORMATADO
    assert documento["ano"] == 2024
    assert documento["autuado_em"] == "2024-03-05T17:00:00+00:00"
    assert "historico" not in documento
    # Both movements fell on 05/03 in Brasília: one instant per day, noon there, inside any range of days.
    assert documento["movimentado_em"] == ["2024-03-05T12:00:00-03:00"]
    assert documento["unidades_texto"] == ["CGLIC", "Coordenação de Licitações", "PROT", "Protocolo Central"]
    assert _cpfs_visiveis(documento) == []


# --- e-mail ---

REMETENTE = "Protocolo <nao-responda@protocolo.gov.br>"
MARIA = Inscrito(chave="chave-maria", nup=NUP, email="maria@example.org")
JOSE = Inscrito(chave="chave-jose", nup=NUP, email="jose@example.org")


@pytest.fixture(scope="module")
def movimento(referencia: Referencia) -> dict[str, Any]:
    return movimento_record(ENVIO, fold_processo([AUTUACAO, ENVIO]), referencia)


def _email(movimento: dict[str, Any], inscrito: Inscrito = MARIA) -> Any:
    return render_email(movimento, inscrito, remetente=REMETENTE, base_url="https://protocolo.gov.br/")


def test_render_email_addresses_the_subscriber_with_a_pt_br_subject(movimento: dict[str, Any]) -> None:
    mensagem = _email(movimento)

    assert mensagem["Subject"] == f"Processo {NUP_FORMATADO}: Envio"
    assert mensagem["To"] == "maria@example.org"
    assert mensagem["From"] == REMETENTE
    assert mensagem["Auto-Submitted"] == "auto-generated"


def test_the_message_id_is_deterministic_per_movimento_and_subscriber(movimento: dict[str, Any]) -> None:
    primeiro, reenvio, para_jose = _email(movimento), _email(movimento), _email(movimento, JOSE)
    outro_movimento = _email({**movimento, "id": "23000:SEI-9"})

    assert primeiro["Message-ID"] == reenvio["Message-ID"]
    assert primeiro["Message-ID"] == message_id("23000:SEI-2", "chave-maria", "protocolo.gov.br")
    assert primeiro["Message-ID"].startswith("<") and primeiro["Message-ID"].endswith("@protocolo.gov.br>")
    assert para_jose["Message-ID"] != primeiro["Message-ID"]
    assert outro_movimento["Message-ID"] != primeiro["Message-ID"]


def test_the_text_body_tells_the_movement_in_pt_br(movimento: dict[str, Any]) -> None:
    texto = _email(movimento).get_body(preferencelist=("plain",)).get_content()

    assert f"O processo {NUP_FORMATADO} teve uma nova movimentação." in texto
    assert "Movimentação: Envio" in texto
    assert "Data: 05/03/2024 às 15:00" in texto  # 18:00 UTC in Brasília
    assert "De: Protocolo Central (PROT)" in texto
    assert "Para: Coordenação de Licitações (CGLIC)" in texto
    assert "Órgão: Ministério da Educação" in texto
    assert f"https://protocolo.gov.br/processos/{NUP_FORMATADO}" in texto
    assert CPF_PONTUADO not in texto and "***.982.247-**" in texto


def test_the_html_body_escapes_what_agencies_wrote(movimento: dict[str, Any]) -> None:
    mensagem = _email({**movimento, "observacao": "<script>alert(1)</script>"})

    html = mensagem.get_body(preferencelist=("html",)).get_content()

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f'href="https://protocolo.gov.br/processos/{NUP_FORMATADO}"' in html


def test_an_unknown_operation_is_shown_as_written(movimento: dict[str, Any]) -> None:
    assert (
        _email({**movimento, "operacao": "REDISTRIBUICAO"})["Subject"]
        == f"Processo {NUP_FORMATADO}: REDISTRIBUICAO"
    )


# --- subscriptions ---


def _registro(nup: str, email: str) -> dict[str, Any]:
    return {"nup": nup, "email": email, "criada_em": T0}


def test_inscricoes_adds_replaces_and_removes_on_tombstone() -> None:
    inscricoes = Inscricoes()

    inscricoes.aplicar("k2", _registro(NUP, "jose@example.org"))
    inscricoes.aplicar("k1", _registro(NUP, "maria@example.org"))
    assert inscricoes.do_processo(NUP) == [
        Inscrito("k1", NUP, "maria@example.org"),
        Inscrito("k2", NUP, "jose@example.org"),
    ]

    inscricoes.aplicar("k1", _registro(NUP, "maria.silva@example.org"))
    assert [i.email for i in inscricoes.do_processo(NUP)] == ["maria.silva@example.org", "jose@example.org"]
    assert len(inscricoes) == 2

    inscricoes.aplicar("k2", None)
    assert inscricoes.do_processo(NUP) == [Inscrito("k1", NUP, "maria.silva@example.org")]
    assert len(inscricoes) == 1


def test_a_subscription_replaced_with_another_nup_moves_to_it() -> None:
    inscricoes = Inscricoes()

    inscricoes.aplicar("k1", _registro(NUP, "maria@example.org"))
    inscricoes.aplicar("k1", _registro(NUP_OUTRO, "maria@example.org"))

    assert inscricoes.do_processo(NUP) == []
    assert inscricoes.do_processo(NUP_OUTRO) == [Inscrito("k1", NUP_OUTRO, "maria@example.org")]
    assert len(inscricoes) == 1


def test_a_tombstone_for_an_unknown_key_changes_nothing() -> None:
    inscricoes = Inscricoes()
    inscricoes.aplicar("k1", _registro(NUP, "maria@example.org"))

    inscricoes.aplicar("desconhecida", None)

    assert len(inscricoes) == 1
    assert inscricoes.do_processo("00000000000000000") == []
