"""streams.projection: the public snapshot and movimento records, and when a snapshot is a removal order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from protocolo.fold import Processo, fold_processo
from protocolo.masking import hash_documento
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.referencia import Referencia, carregar_referencia
from streams.projection import eh_publico, movimento_record, snapshot_record

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)


NUP = "23037001462202165"


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
