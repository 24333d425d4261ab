"""streams.projection: the public snapshot and movimento records, and when a snapshot is a removal order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from protocolo.fold import fold_processo
from protocolo.masking import hash_documento
from protocolo.model import Evento, NivelAcesso, Operacao, TipoProtocolo
from protocolo.referencia import Referencia, carregar_referencia
from streams.projection import eh_publico, movimento_record, snapshot_record
from tests.fixtures.eventos import (
    AUTUACAO,
    CNPJ,
    CPF,
    CPF_PONTUADO,
    ENVIO,
    NUP,
    OUTRO_CPF,
    SEGREDO,
    T0,
    com_nivel,
    cpfs_visiveis,
)


@pytest.fixture(scope="module")
def referencia() -> Referencia:
    return carregar_referencia()


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
        com_nivel(nivel), referencia, segredo=SEGREDO, restrito_publico=restrito_publico
    )

    assert registro == {"nup": NUP, "versao": 2, "publico": False}


def test_a_restrito_snapshot_is_public_when_the_setting_allows_it(referencia: Referencia) -> None:
    registro = snapshot_record(
        com_nivel(NivelAcesso.RESTRITO), referencia, segredo=SEGREDO, restrito_publico=True
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

    assert cpfs_visiveis(registro) == []
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

    assert cpfs_visiveis(registro) == []


def test_a_movimento_record_masks_cpfs_and_names_its_snapshot_version(referencia: Referencia) -> None:
    processo = fold_processo([AUTUACAO, ENVIO])

    registro = movimento_record(ENVIO, processo, referencia)

    assert cpfs_visiveis(registro) == []
    assert registro["id"] == "23000:SEI-2"
    assert (registro["operacao"], registro["processo_versao"]) == ("ENVIO", 2)
    assert registro["orgao_nome"] == "Ministério da Educação"
    assert registro["assunto"] == "Pedido de aposentadoria de ***.444.777-**"
    assert registro["unidade_destino"] == {
        "codigo": "2300002",
        "sigla": "CGLIC",
        "nome": "Coordenação de Licitações",
    }
