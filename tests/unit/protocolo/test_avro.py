"""Specification of protocolo.avro: single-object encoding, CRC-64-AVRO fingerprints, schema evolution."""

from __future__ import annotations

import copy
import io
import json
import random
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import fastavro
import pytest
from fastavro.schema import fingerprint, to_parsing_canonical_form
from fastavro.utils import generate_many
from hypothesis import given
from hypothesis import strategies as st

from protocolo.avro import MAGIC, SCHEMAS_DIR, Catalogo, catalogo_padrao
from protocolo.credenciais import gerar_credencial
from protocolo.errors import CodecError, CorruptMessage, UnknownSchema, Violation
from protocolo.fold import fold_processo
from protocolo.integradores import gerar_integrador, integrador_to_avro
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.referencia import carregar_referencia
from protocolo.registros import (
    credencial_from_avro,
    credencial_to_avro,
    evento_avro_to_json,
    evento_to_avro,
    orgao_from_avro,
    orgao_to_avro,
)
from protocolo.validation import evento_from_json
from protocolo.webhooks import (
    Alvo,
    EstadoWebhook,
    SegredoSelado,
    TipoAlvo,
    Veredito,
    Webhook,
    estado_to_avro,
    webhook_to_avro,
)
from streams.intake import Rejeicao, dead_letter
from streams.projection import movimento_record, snapshot_record

T0 = datetime(2024, 3, 5, 17, 30, tzinfo=UTC)
NUP = "23037001462202165"
PROTOCOLO = Unidade("2300001", "PROT", "Protocolo Central")
CGLIC = Unidade("2300002", None, "Coordenação de Licitações")

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
    assunto="Aquisição de material",
    interessados=(Interessado("Maria da Silva", "52998224725"), Interessado("ACME Ltda")),
)
ENVIO = Evento(
    id="SEI-2",
    orgao="23000",
    nup=NUP,
    tipo=TipoProtocolo.PROCESSO,
    operacao=Operacao.ENVIO,
    ocorrido_em=T0.replace(hour=18),
    nivel_acesso=NivelAcesso.PUBLICO,
    unidade_origem=PROTOCOLO,
    unidade_destino=CGLIC,
    observacao="Para análise",
)


def _evento() -> dict[str, Any]:
    return evento_to_avro(ENVIO)


def _processo() -> dict[str, Any]:
    processo = fold_processo([AUTUACAO, ENVIO])
    return snapshot_record(processo, carregar_referencia(), segredo=b"segredo", restrito_publico=False)


def _movimento() -> dict[str, Any]:
    return movimento_record(ENVIO, fold_processo([AUTUACAO, ENVIO]), carregar_referencia())


def _dead_letter() -> dict[str, Any]:
    rejeicao = Rejeicao("EVENTO_INVALIDO", "evento inválido", [Violation("nup", "NUP vazio")])
    registro = dead_letter(rejeicao, topico="eventos", particao=3, offset=42, chave=b"k", valor=b"\x00\x01")
    return {**registro, "registrado_em": T0}  # the record carries now(); a fixed instant keeps it comparable


def _inscricao() -> dict[str, Any]:
    return {
        "nup": NUP,
        "email": "cidada@example.org",
        "criada_em": T0,
        "estado": "PENDENTE",
        "operacoes": ["ENVIO"],
        "solicitada_em": T0,
        "atualizada_em": T0,
    }


def _notificacao() -> dict[str, Any]:
    return {
        "message_id": "<abc@protocolo.gov.br>",
        "chave_inscricao": "c" * 64,
        "resultado": "ENVIADA",
        "registrada_em": T0,
    }


def _devolucao() -> dict[str, Any]:
    return {"inscricao_atualizada_em": T0, "recusas": 3, "marcada_em": T0}


def _orgao() -> dict[str, Any]:
    return orgao_to_avro(carregar_referencia().orgaos[0], agora=T0)


def _credencial() -> dict[str, Any]:
    credencial, _ = gerar_credencial(b"segredo", orgao="23000", agora=T0, descricao="SEI do MEC")
    return credencial_to_avro(credencial.revogar(T0))


def _integrador() -> dict[str, Any]:
    integrador, _ = gerar_integrador(b"segredo", nome="Redação", email="r@e.org", agora=T0)
    return integrador_to_avro(integrador)


def _webhook() -> dict[str, Any]:
    selado = SegredoSelado(b"\x01" + b"s" * 60, T0, T0)
    return webhook_to_avro(
        Webhook("wh_1", "i", "https://e.org/wh", Alvo(TipoAlvo.NUP, "1" * 17), (selado,), T0)
    )


def _webhook_estado() -> dict[str, Any]:
    return estado_to_avro(EstadoWebhook("wh_1", Veredito.RECUSADO, T0, "verificação de posse falhou", 0))


def _webhook_entrega() -> dict[str, Any]:
    corpo = b'{"type":"tramitacao.movimento"}'
    return {
        "id": "msg_x",
        "webhook_id": "wh_1",
        "estado": "PENDENTE",
        "corpo": corpo,
        "tentativas": 2,
        "ordem": 1,
        "registrada_em": T0,
    }


AMOSTRAS: dict[str, Callable[[], dict[str, Any]]] = {
    "evento": _evento,
    "processo": _processo,
    "movimento": _movimento,
    "dead_letter": _dead_letter,
    "inscricao": _inscricao,
    "orgao": _orgao,
    "credencial": _credencial,
    "notificacao": _notificacao,
    "devolucao": _devolucao,
    "alerta": lambda: {
        "email": "a@example.com",
        "consulta": '{"grupos":[]}',
        "descricao": "todos os processos públicos",
        "frequencia": "DIARIO",
        "movimentos": False,
        "estado": "PENDENTE",
        "criada_em": T0,
        "solicitada_em": T0,
        "atualizada_em": T0,
    },
    "novidade": lambda: {
        "alerta": "a" * 64,
        "tipo": "NOVO",
        "item": "23037001462202165",
        "nup": "23037001462202165",
        "assunto": None,
        "orgao": None,
        "operacao": None,
        "ocorrido_em": None,
        "registrada_em": T0,
        "versao": 3,
    },
    "integrador": _integrador,
    "webhook": _webhook,
    "webhook_estado": _webhook_estado,
    "webhook_entrega": _webhook_entrega,
    "webhook_casamento": lambda: {"nup": "23037001462202165", "webhooks": ["wh_1", "wh_2"], "versao": 4},
}


@pytest.fixture(scope="module")
def catalogo() -> Catalogo:
    return Catalogo()


def test_the_catalogue_holds_every_schema_file(catalogo: Catalogo) -> None:
    arquivos = sorted(SCHEMAS_DIR.glob("*.avsc"))

    assert catalogo.nomes() == sorted(AMOSTRAS) == sorted({a.name.split(".")[0] for a in arquivos})
    assert sum(len(catalogo.versoes(nome)) for nome in catalogo.nomes()) == len(arquivos)
    assert catalogo_padrao() is catalogo_padrao()


@pytest.mark.parametrize("nome", sorted(AMOSTRAS))
def test_each_record_kind_round_trips_through_the_catalogue(catalogo: Catalogo, nome: str) -> None:
    registro = AMOSTRAS[nome]()

    assert catalogo.decode(nome, catalogo.encode(nome, registro)) == registro


def test_an_event_round_trips_from_domain_to_avro_and_back(catalogo: Catalogo) -> None:
    for evento in (AUTUACAO, ENVIO):
        registro = catalogo.decode("evento", catalogo.encode("evento", evento_to_avro(evento)))

        assert evento_from_json(evento_avro_to_json(registro)) == evento


def test_a_removal_order_snapshot_decodes_with_every_other_field_empty(catalogo: Catalogo) -> None:
    remocao = {"nup": NUP, "versao": 7, "publico": False}

    lido = catalogo.decode("processo", catalogo.encode("processo", remocao))

    assert {k: lido[k] for k in remocao} == remocao
    assert {k for k, v in lido.items() if v not in (None, [], False)} == {"nup", "versao"}


def test_timestamps_keep_milliseconds_and_come_back_in_utc(catalogo: Catalogo) -> None:
    quando = datetime(2024, 3, 5, 14, 30, 0, 123456, tzinfo=UTC)

    lido = catalogo.decode("inscricao", catalogo.encode("inscricao", {**_inscricao(), "criada_em": quando}))

    assert lido["criada_em"] == quando.replace(microsecond=123000)
    assert lido["criada_em"].utcoffset() == timedelta(0)


# --- CRC-64-AVRO, written from the Avro specification ("Schema Fingerprints"), apart from fastavro ---

_EMPTY = 0xC15D213AA4D7A795


def _tabela_rabin() -> list[int]:
    tabela = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (_EMPTY & -(fp & 1))
        tabela.append(fp)
    return tabela


_TABELA = _tabela_rabin()


def _rabin(dados: bytes) -> int:
    fp = _EMPTY
    for byte in dados:
        fp = (fp >> 8) ^ _TABELA[(fp ^ byte) & 0xFF]
    return fp


# (schema, fingerprint as a signed Java long) from the Avro project's share/test/data/schema-tests.txt.
VETORES_AVRO = [
    ('"null"', 7195948357588979594),
    ('"boolean"', -6970731678124411036),
    ('"int"', 8247732601305521295),
    ('"string"', -8142146995180207161),
    ('{"fields":[], "type":"record", "name":"foo"}', -4824392279771201922),
    ('{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}', 5916914534497305771),
    ('{"fields":[], "type":"record", "name":"foo", "doc":"Useful info"}', -4824392279771201922),
    ('{"type":"enum", "name":"foo", "symbols":["A1"]}', -6342190197741309591),
    ('{ "values":"string", "type":"map"}', -8732877298790414990),
]


@pytest.mark.parametrize(("schema", "esperado"), VETORES_AVRO)
def test_rabin_fingerprint_matches_the_avro_reference_vectors(schema: str, esperado: int) -> None:
    canonica = to_parsing_canonical_form(fastavro.parse_schema(json.loads(schema), _force=True))

    assert _rabin(canonica.encode()) == esperado & 0xFFFF_FFFF_FFFF_FFFF
    assert (
        fingerprint(canonica, "CRC-64-AVRO") == (esperado & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "little").hex()
    )


@pytest.mark.parametrize("nome", sorted(AMOSTRAS))
def test_the_header_is_magic_plus_the_little_endian_crc64_of_the_writer_schema(
    catalogo: Catalogo, nome: str
) -> None:
    # The newest version is the writer schema.
    arquivo = max(SCHEMAS_DIR.glob(f"{nome}.v*.avsc"), key=lambda a: int(a.name.split(".")[1][1:]))
    canonica = to_parsing_canonical_form(fastavro.parse_schema(json.loads(arquivo.read_text()), _force=True))

    mensagem = catalogo.encode(nome, AMOSTRAS[nome]())

    assert mensagem[:2] == MAGIC == b"\xc3\x01"
    assert mensagem[2:10] == bytes.fromhex(fingerprint(canonica, "CRC-64-AVRO"))
    assert int.from_bytes(mensagem[2:10], "little") == _rabin(canonica.encode())


def test_the_body_after_the_header_is_plain_avro_binary(catalogo: Catalogo) -> None:
    registro = _inscricao()
    escritor = catalogo.versoes("inscricao")[-1]

    corpo = catalogo.encode("inscricao", registro)[10:]

    assert fastavro.schemaless_reader(io.BytesIO(corpo), escritor, None) == registro


# --- what does not decode ---


def test_a_message_with_an_unknown_fingerprint_is_an_unknown_schema(catalogo: Catalogo) -> None:
    mensagem = catalogo.encode("evento", _evento())
    desconhecida = mensagem[:2] + bytes(8) + mensagem[10:]

    with pytest.raises(UnknownSchema, match="0000000000000000"):
        catalogo.decode("evento", desconhecida)


@pytest.mark.parametrize(
    ("escrito", "lido"), [("movimento", "evento"), ("evento", "processo"), ("inscricao", "dead_letter")]
)
def test_decoding_a_message_of_one_record_as_another_is_an_unknown_schema(
    catalogo: Catalogo, escrito: str, lido: str
) -> None:
    mensagem = catalogo.encode(escrito, AMOSTRAS[escrito]())

    with pytest.raises(UnknownSchema, match=rf"é um {escrito} v\d+, esperado {lido}"):
        catalogo.decode(lido, mensagem)


def _cortes() -> Iterator[tuple[str, bytes]]:
    mensagem = Catalogo().encode("evento", _evento())
    yield "empty", b""
    yield "magic only", MAGIC
    yield "header cut short", mensagem[:9]
    yield "header without body", mensagem[:10]
    yield "no magic (bare Avro body)", mensagem[10:]
    yield "wrong magic", b"\xc3\x00" + mensagem[2:]
    yield "JSON instead of Avro", json.dumps({"id": "x"}).encode()
    for corte in (11, 20, len(mensagem) // 2, len(mensagem) - 1):
        yield f"body cut at {corte}", mensagem[:corte]


CORTES = list(_cortes())


@pytest.mark.parametrize("dados", [c[1] for c in CORTES], ids=[c[0] for c in CORTES])
def test_truncated_garbage_or_unframed_bytes_are_a_corrupt_message(catalogo: Catalogo, dados: bytes) -> None:
    with pytest.raises(CorruptMessage):
        catalogo.decode("evento", dados)


def test_every_truncation_of_a_valid_message_is_a_corrupt_message(catalogo: Catalogo) -> None:
    mensagem = catalogo.encode("processo", _processo())

    for corte in range(len(mensagem)):
        with pytest.raises(CorruptMessage):
            catalogo.decode("processo", mensagem[:corte])


@given(st.binary(max_size=200))
def test_any_bytes_after_a_valid_header_decode_or_raise_corrupt_message(corpo: bytes) -> None:
    catalogo = catalogo_padrao()
    cabecalho = catalogo.encode("evento", _evento())[:10]

    try:
        registro = catalogo.decode("evento", cabecalho + corpo)
    except CorruptMessage:
        return
    assert set(registro) == {f["name"] for f in catalogo.versoes("evento")[0]["fields"]}


@given(st.binary(max_size=64))
def test_any_bytes_at_all_decode_or_raise_a_codec_error(dados: bytes) -> None:
    try:
        catalogo_padrao().decode("inscricao", dados)
    except CodecError:
        pass


def test_bytes_left_over_after_the_record_make_the_message_corrupt(catalogo: Catalogo) -> None:
    mensagem = catalogo.encode("inscricao", _inscricao())

    with pytest.raises(CorruptMessage):
        catalogo.decode("inscricao", mensagem + mensagem)


# --- schema evolution ---


def _v1(nome: str) -> dict[str, Any]:
    esquema: dict[str, Any] = json.loads((SCHEMAS_DIR / f"{nome}.v1.avsc").read_text(encoding="utf-8"))
    return esquema


def _evento_v2(mudar: Callable[[list[dict[str, Any]]], None]) -> dict[str, Any]:
    """A hypothetical v2 of `evento`: v1 with its field list changed by `mudar`."""
    esquema = copy.deepcopy(_v1("evento"))
    esquema["doc"] = "v2"
    mudar(esquema["fields"])
    return esquema


def _com_prioridade(campos: list[dict[str, Any]]) -> None:
    campos.append({"name": "prioridade", "type": ["null", "string"], "default": None})


def _orgao_inteiro(campos: list[dict[str, Any]]) -> None:
    next(c for c in campos if c["name"] == "orgao")["type"] = "int"


def _prioridade_obrigatoria(campos: list[dict[str, Any]]) -> None:
    campos.append({"name": "prioridade", "type": "string"})


def _sem_orgao(campos: list[dict[str, Any]]) -> None:
    campos[:] = [c for c in campos if c["name"] != "orgao"]


def _pasta(destino: Path, extras: dict[str, dict[str, Any]]) -> Path:
    """A copy of the project's schemas plus `extras` (file name → schema)."""
    destino.mkdir()
    for arquivo in SCHEMAS_DIR.glob("*.avsc"):
        shutil.copy(arquivo, destino / arquivo.name)
    for nome, esquema in extras.items():
        (destino / nome).write_text(json.dumps(esquema), encoding="utf-8")
    return destino


@pytest.fixture
def catalogos_v1_v2(tmp_path: Path) -> tuple[Catalogo, Catalogo]:
    """Catalogue A knows evento v1 only; catalogue B knows v1 and a v2 with an optional field."""
    a = Catalogo(_pasta(tmp_path / "a", {}))
    b = Catalogo(_pasta(tmp_path / "b", {"evento.v2.avsc": _evento_v2(_com_prioridade)}))
    return a, b


def test_a_catalogue_writes_with_its_newest_version(catalogos_v1_v2: tuple[Catalogo, Catalogo]) -> None:
    a, b = catalogos_v1_v2

    assert len(a.versoes("evento")) == 1 and len(b.versoes("evento")) == 2
    assert a.encode("evento", _evento())[:10] != b.encode("evento", _evento())[:10]
    assert a.encode("inscricao", _inscricao()) == b.encode("inscricao", _inscricao())


def test_v1_messages_decode_with_a_v2_catalogue(catalogos_v1_v2: tuple[Catalogo, Catalogo]) -> None:
    a, b = catalogos_v1_v2

    lido = b.decode("evento", a.encode("evento", _evento()))

    assert lido == {**_evento(), "prioridade": None}


def test_v2_messages_decode_with_a_v2_catalogue(catalogos_v1_v2: tuple[Catalogo, Catalogo]) -> None:
    _, b = catalogos_v1_v2
    registro = {**_evento(), "prioridade": "alta"}

    assert b.decode("evento", b.encode("evento", registro)) == registro


def test_v2_messages_are_readable_by_a_v1_reader_that_has_the_writer_schema(
    catalogos_v1_v2: tuple[Catalogo, Catalogo],
) -> None:
    a, b = catalogos_v1_v2
    v1, v2 = b.versoes("evento")
    mensagem = b.encode("evento", {**_evento(), "prioridade": "alta"})

    assert fastavro.schemaless_reader(io.BytesIO(mensagem[10:]), v2, v1) == _evento()
    with pytest.raises(UnknownSchema):  # the catalogue alone cannot: it has never seen the v2 fingerprint
        a.decode("evento", mensagem)


@contextmanager
def _acaso_fixo(semente: int) -> Iterator[None]:
    """fastavro's generator draws from the global `random`: seed it, and leave it as it was."""
    estado = random.getstate()
    random.seed(semente)
    try:
        yield
    finally:
        random.setstate(estado)


def _ilegiveis(escritor: Any, leitor: Any, *, amostras: int = 25) -> list[str]:
    """Why records written with `escritor` cannot be read with `leitor` (empty when they all can)."""
    with _acaso_fixo(0):
        registros = list(generate_many(escritor, amostras))
    problemas = []
    for registro in registros:
        saida = io.BytesIO()
        fastavro.schemaless_writer(saida, escritor, registro)
        saida.seek(0)
        try:
            fastavro.schemaless_reader(saida, escritor, leitor)
        except Exception as exc:  # any failure to resolve is the answer
            problemas.append(f"{type(exc).__name__}: {exc}")
    return sorted(set(problemas))


def _incompatibilidades(catalogo: Catalogo) -> dict[str, list[str]]:
    """For every record, each consecutive pair of versions that is not readable in both directions."""
    achados: dict[str, list[str]] = {}
    for nome in catalogo.nomes():
        for n, (antiga, nova) in enumerate(pairwise(catalogo.versoes(nome)), start=1):
            problemas = _ilegiveis(antiga, nova) + _ilegiveis(nova, antiga)
            if problemas:
                achados[f"{nome} v{n}/v{n + 1}"] = problemas
    return achados


def test_consecutive_versions_of_every_record_are_mutually_readable(catalogo: Catalogo) -> None:
    assert catalogo.nomes()  # the check iterates over the real catalogue, whatever it holds
    assert _incompatibilidades(catalogo) == {}


def test_the_compatibility_check_accepts_a_v2_with_an_optional_field(tmp_path: Path) -> None:
    catalogo = Catalogo(_pasta(tmp_path / "s", {"evento.v2.avsc": _evento_v2(_com_prioridade)}))

    assert _incompatibilidades(catalogo) == {}


@pytest.mark.parametrize(
    "mudar",
    [_orgao_inteiro, _prioridade_obrigatoria, _sem_orgao],
    ids=["type changed string to int", "new field without default", "field without default removed"],
)
def test_the_compatibility_check_detects_an_incompatible_v2(
    tmp_path: Path, mudar: Callable[[list[dict[str, Any]]], None]
) -> None:
    catalogo = Catalogo(_pasta(tmp_path / "s", {"evento.v2.avsc": _evento_v2(mudar)}))

    assert list(_incompatibilidades(catalogo)) == ["evento v1/v2"]


def test_a_writer_schema_that_cannot_be_resolved_is_a_codec_error(tmp_path: Path) -> None:
    antigo = Catalogo(_pasta(tmp_path / "a", {}))
    novo = Catalogo(_pasta(tmp_path / "b", {"evento.v2.avsc": _evento_v2(_orgao_inteiro)}))

    with pytest.raises(CodecError):
        novo.decode("evento", antigo.encode("evento", _evento()))


def test_schema_files_must_follow_the_naming_rule(tmp_path: Path) -> None:
    pasta = _pasta(tmp_path / "s", {"Evento-2.avsc": _v1("evento")})

    with pytest.raises(ValueError, match="<nome>.v<N>.avsc"):
        Catalogo(pasta)


def test_an_empty_schema_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no Avro schema"):
        Catalogo(tmp_path)


def test_reference_data_round_trips_from_domain_to_avro_and_back(catalogo: Catalogo) -> None:
    for orgao in carregar_referencia().orgaos:
        registro = catalogo.decode("orgao", catalogo.encode("orgao", orgao_to_avro(orgao)))

        assert orgao_from_avro(registro) == orgao


def test_a_credential_round_trips_from_domain_to_avro_and_back(catalogo: Catalogo) -> None:
    credencial, _ = gerar_credencial(b"segredo", orgao="23000", agora=T0)

    mensagem = catalogo.encode("credencial", credencial_to_avro(credencial))

    assert credencial_from_avro(catalogo.decode("credencial", mensagem)) == credencial


# The wire fingerprint of every published schema file. Messages already on the topics carry these bytes,
# so none may change: editing a `doc` is allowed (the parsing canonical form drops it), anything else
# needs a new `<nome>.v<N+1>.avsc`.
IMPRESSOES_PUBLICADAS = {
    "credencial.v1.avsc": "499c5c32613cdbc3",
    "dead_letter.v1.avsc": "a4506cfa979cc84d",
    "devolucao.v1.avsc": "3d6a5be870d50f0b",
    "evento.v1.avsc": "265e7870bc95f029",
    "inscricao.v1.avsc": "0ade549a15d3c827",
    "inscricao.v2.avsc": "9110ecd4d535c622",
    "movimento.v1.avsc": "f9f48e1cf51aa252",
    "notificacao.v1.avsc": "8831776d37e350bc",
    "orgao.v1.avsc": "42ee921b9729dba5",
    "processo.v1.avsc": "6e09e189e0d2b66e",
    "processo.v2.avsc": "3a8c1064f1b2207f",
}


def _impressao_do_arquivo(arquivo: Path) -> str:
    parsed = fastavro.parse_schema(json.loads(arquivo.read_text(encoding="utf-8")), _force=True)
    return str(fingerprint(to_parsing_canonical_form(parsed), "CRC-64-AVRO"))


def test_published_schemas_keep_their_wire_fingerprints() -> None:
    atuais = {arquivo.name: _impressao_do_arquivo(arquivo) for arquivo in sorted(SCHEMAS_DIR.glob("*.avsc"))}
    assert {nome: atuais.get(nome) for nome in IMPRESSOES_PUBLICADAS} == IMPRESSOES_PUBLICADAS


def test_editing_a_doc_string_keeps_the_fingerprint(tmp_path: Path) -> None:
    original = SCHEMAS_DIR / "notificacao.v1.avsc"
    esquema = json.loads(original.read_text(encoding="utf-8"))
    esquema["doc"] = "outra descrição"
    esquema["fields"][1]["doc"] = "outra"
    editado = tmp_path / "notificacao.v1.avsc"
    editado.write_text(json.dumps(esquema), encoding="utf-8")
    assert _impressao_do_arquivo(editado) == _impressao_do_arquivo(original)
    esquema["fields"][0]["name"] = "mensagem_id"  # a real change does move it
    editado.write_text(json.dumps(esquema), encoding="utf-8")
    assert _impressao_do_arquivo(editado) != _impressao_do_arquivo(original)
