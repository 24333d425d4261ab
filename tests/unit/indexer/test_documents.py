"""Batch coalescing and privacy of the indexer's bulk actions (indexer/documents.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from api.busca.datas import ler_periodo
from indexer.documents import (
    Acao,
    acoes_do_lote,
    documento_movimento,
    documento_processo,
    mais_novos,
    ocultos,
    query_ocultos,
)
from protocolo.fold import fold_processo
from protocolo.model import Evento, NivelAcesso, Operacao, TipoProtocolo
from protocolo.referencia import Referencia, carregar_referencia
from streams.projection import movimento_record, snapshot_record
from tests.fixtures.eventos import (
    AUTUACAO,
    CGLIC,
    ENVIO,
    NUP,
    NUP_FORMATADO,
    NUP_OUTRO,
    PROTOCOLO,
    SEGREDO,
    T0,
    com_nivel,
    cpfs_visiveis,
)

OUTRO = "60041001093202097"


def _evento(n: int, *, nup: str = NUP, nivel: NivelAcesso = NivelAcesso.PUBLICO) -> Evento:
    operacao = Operacao.AUTUACAO if n == 1 else Operacao.ENVIO
    return Evento(
        id=f"SEI-{nup[-4:]}-{n}",
        orgao="23000",
        nup=nup,
        tipo=TipoProtocolo.PROCESSO,
        operacao=operacao,
        ocorrido_em=T0 + timedelta(hours=n),
        nivel_acesso=nivel,
        unidade_origem=PROTOCOLO,
        unidade_destino=None if n == 1 else CGLIC,
        assunto="Aquisição de material" if n == 1 else None,
    )


def _registros(eventos: list[Evento]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The snapshot and movimento records the streams emit for the last of `eventos`."""
    referencia = carregar_referencia()
    processo = fold_processo(eventos)
    snapshot = snapshot_record(processo, referencia, segredo=b"s", restrito_publico=False)
    return snapshot, movimento_record(eventos[-1], processo, referencia)


def _indices(acoes: list[Any]) -> list[tuple[str, str, int | None]]:
    return [(a.indice, a.doc_id, a.versao) for a in acoes]


def _lote(
    snapshots: list[dict[str, Any]], movimentos: list[dict[str, Any]]
) -> list[tuple[str, str, int | None]]:
    return _indices(acoes_do_lote(snapshots, movimentos, indice_processos="p", indice_movimentos="m"))


@pytest.fixture
def historia() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Versions 1 and 2 public, version 3 reclassified SIGILOSO (snapshot becomes a tombstone)."""
    e1, e2 = _evento(1), _evento(2)
    e3 = replace(_evento(3), nivel_acesso=NivelAcesso.SIGILOSO)
    return [_registros([e1]), _registros([e1, e2]), _registros([e1, e2, e3])]


def test_movimentos_of_a_processo_hidden_in_the_same_batch_are_not_written(
    historia: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    (s1, m1), (s2, m2), (s3, _) = historia
    assert s3 == {"nup": NUP, "versao": 3, "publico": False}

    acoes = _lote([s1, s2, s3], [m1, m2])

    assert acoes == [("p", NUP, 3)]


def test_a_hidden_processo_keeps_out_only_its_own_movimentos(
    historia: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    (_, m1), _, (s3, _) = historia
    outro_snapshot, outro_movimento = _registros([_evento(1, nup=OUTRO)])

    acoes = _lote([s3, outro_snapshot], [m1, outro_movimento])

    assert acoes == [("p", NUP, 3), ("p", OUTRO, 1), ("m", outro_movimento["id"], None)]


def test_a_movimento_folded_after_the_tombstone_is_written(
    historia: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    # Reclassified PUBLICO again at version 4: its movimento names version 4, newer than the tombstone.
    _, _, (s3, _) = historia
    posterior = {**historia[1][1], "id": "23000:SEI-x", "processo_versao": 4}

    assert _lote([s3], [posterior]) == [("p", NUP, 3), ("m", "23000:SEI-x", None)]


def test_a_processo_public_again_by_the_end_of_the_batch_keeps_its_movimentos(
    historia: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    (_, m1), (s2, _), (s3, _) = historia
    publico_de_novo = {**s2, "versao": 4}

    assert _lote([s3, publico_de_novo], [m1]) == [("p", NUP, 4), ("m", m1["id"], None)]
    assert ocultos([s3, publico_de_novo]) == {}


@pytest.mark.parametrize(
    ("versoes", "esperada"),
    [([1, 2, 3], 3), ([3, 1, 2], 3), ([2, 3, 3, 1], 3), ([5], 5)],
)
def test_mais_novos_keeps_the_highest_version_whatever_the_arrival_order(
    versoes: list[int], esperada: int
) -> None:
    snapshots = [{"nup": NUP, "versao": v, "publico": True, "ordem": i} for i, v in enumerate(versoes)]

    assert mais_novos(snapshots)[NUP]["versao"] == esperada


def test_ocultos_names_each_hidden_processo_with_its_newest_version(
    historia: list[tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    (s1, _), _, (s3, _) = historia
    sigiloso = {"nup": OUTRO, "versao": 2, "publico": False}

    assert ocultos([s3, s1, sigiloso]) == {NUP: 3, OUTRO: 2}


def test_query_ocultos_deletes_only_movimentos_up_to_each_tombstone_version() -> None:
    query = query_ocultos({OUTRO: 2, NUP: 3})

    assert query == {
        "bool": {
            "should": [
                {"bool": {"filter": [{"term": {"nup": NUP}}, {"range": {"processo_versao": {"lte": 3}}}]}},
                {"bool": {"filter": [{"term": {"nup": OUTRO}}, {"range": {"processo_versao": {"lte": 2}}}]}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_documento_processo_indexes_the_snapshots_bounded_lists_as_search_fields() -> None:
    snapshot, _ = _registros([_evento(1), _evento(2)])
    snapshot = {
        **snapshot,
        "unidades": [
            {"codigo": "1", "sigla": "CGLIC", "nome": "Coordenação"},
            {"codigo": "2", "sigla": None},
        ],
        # 2018-11-05 was daylight saving time in Brasília (-02:00), 2024-03-05 was not.
        "dias_movimentados": [date(2024, 3, 5), date(2018, 11, 5), date(2024, 3, 5)],
        "observacoes_recentes": ["Encaminhado para análise"],
    }

    documento = documento_processo(snapshot)

    assert documento["unidades_texto"] == ["CGLIC", "Coordenação"]
    assert documento["movimentado_em"] == ["2018-11-05T12:00:00-02:00", "2024-03-05T12:00:00-03:00"]
    assert documento["observacoes"] == ["Encaminhado para análise"]
    assert not {"unidades", "dias_movimentados", "observacoes_recentes", "historico"} & documento.keys()


@pytest.fixture(scope="module")
def referencia() -> Referencia:
    return carregar_referencia()


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
        com_nivel(NivelAcesso.SIGILOSO), referencia, segredo=SEGREDO, restrito_publico=False
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
    assert cpfs_visiveis(documento) == []


@pytest.fixture(scope="module")
def movimento(referencia: Referencia) -> dict[str, Any]:
    return movimento_record(ENVIO, fold_processo([AUTUACAO, ENVIO]), referencia)


def _snapshot_de_campos(**campos: Any) -> dict[str, Any]:
    quando = datetime(2011, 12, 31, 10, 0, tzinfo=UTC)
    base: dict[str, Any] = {
        "nup": NUP,
        "versao": 2,
        "publico": True,
        "orgao": "35014",
        "orgao_atual": "23000",
        "autuado_em": quando,
        "atualizado_em": quando,
        # Brasília days (31/12/2011 in Brasília is still 2011 at 01:30 UTC on 01/01/2012).
        "dias_movimentados": [date(2011, 12, 31), date(2012, 1, 2)],
        "observacoes_recentes": ["Pedido de vista"],
    }
    return base | campos


def test_the_document_lists_both_orgaos_every_day_moved_and_the_observacoes() -> None:
    documento = documento_processo(_snapshot_de_campos())
    assert documento["orgaos"] == ["23000", "35014"]
    # Noon in Brasília (daylight saving time then): inside the range the period filter sends for that day.
    assert documento["movimentado_em"] == ["2011-12-31T12:00:00-02:00", "2012-01-02T12:00:00-02:00"]
    for texto, instante in zip(("31/12/2011", "2012-01-02"), documento["movimentado_em"], strict=True):
        periodo = ler_periodo(texto)
        assert periodo is not None
        inicio, fim = datetime.fromisoformat(periodo.inicio_iso), datetime.fromisoformat(periodo.fim_iso)
        assert inicio <= datetime.fromisoformat(instante) < fim
    assert documento["observacoes"] == ["Pedido de vista"]
    assert documento_processo(_snapshot_de_campos(orgao_atual="35014"))["orgaos"] == ["35014"]


def test_the_year_is_brasilias_not_utcs() -> None:
    # 01/01/2012 01:30 UTC is still 31/12/2011 in Brasília (22:30, or 23:30 in daylight saving time).
    instante = datetime(2012, 1, 1, 1, 30, tzinfo=UTC)
    assert documento_processo(_snapshot_de_campos(autuado_em=instante))["ano"] == 2011
