"""Dead letters as agencies see them: masked, per órgão, bounded, paged newest first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.rejeitados import CursorInvalido, RejeitadosPorOrgao
from protocolo.avro import catalogo_padrao
from protocolo.registros import dead_letter_record
from protocolo.rejeicoes import Origem, Rejeitado, rejeitado_de

CPF = "52998224725"


def _rejeitado(n: int, orgao: str | None = "23000") -> Rejeitado:
    return Rejeitado(
        codigo="EVENTO_INVALIDO",
        motivo="m",
        violacoes=(),
        registrado_em=datetime(2024, 1, 1, tzinfo=UTC),
        carta=Origem("dlq", 0, n),
        original=Origem("eventos", 0, n),
        orgao=orgao,
        id=f"e{n}",
    )


def test_a_dead_letter_is_masked_and_keeps_no_bytes() -> None:
    catalogo = catalogo_padrao()
    evento = {
        "id": "x",
        "orgao": "23000",
        "nup": "23037.001462/2021-65",
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "ocorrido_em": datetime(2024, 1, 1, tzinfo=UTC),
        "nivel_acesso": "PUBLICO",
        "interessados": [{"nome": "N", "documento": CPF}],
    }
    registro = dead_letter_record(
        codigo="EVENTO_INVALIDO",
        motivo=f"o CPF {CPF} aparece no assunto",
        topico="eventos",
        particao=1,
        offset=7,
        chave=b"k",
        valor=catalogo.encode("evento", evento),
    )
    rejeitado = rejeitado_de(catalogo, registro, carta=Origem("dlq", 2, 3))
    assert CPF not in repr(rejeitado)
    assert rejeitado.motivo == "o CPF ***.982.247-** aparece no assunto"
    assert (rejeitado.orgao, rejeitado.id, rejeitado.operacao) == ("23000", "x", "ENVIO")
    assert str(rejeitado.original) == "eventos/1/7" and str(rejeitado.carta) == "dlq/2/3"


def test_an_unreadable_dead_letter_names_no_orgao_and_no_agency_sees_it() -> None:
    catalogo = catalogo_padrao()
    registro = dead_letter_record(
        codigo="MENSAGEM_CORROMPIDA", motivo="m", topico="t", particao=0, offset=0, chave=None, valor=b"lixo"
    )
    rejeitado = rejeitado_de(catalogo, registro, carta=Origem("dlq", 0, 0))
    assert rejeitado.orgao is None
    vista = RejeitadosPorOrgao(10)
    vista.adicionar(rejeitado)
    assert vista.pagina("23000", tamanho=10).total == 0


def test_pages_are_newest_first_and_a_cursor_continues_after_the_last_item() -> None:
    vista = RejeitadosPorOrgao(10)
    for n in range(5):
        vista.adicionar(_rejeitado(n))
        vista.adicionar(_rejeitado(100 + n, orgao="26000"))
    primeira = vista.pagina("23000", tamanho=2)
    assert [r.id for r in primeira.items] == ["e4", "e3"]
    vista.adicionar(_rejeitado(5))  # arrives between two pages: the next page is not shifted
    segunda = vista.pagina("23000", tamanho=2, cursor=primeira.proximo_cursor)
    terceira = vista.pagina("23000", tamanho=2, cursor=segunda.proximo_cursor)
    assert [r.id for r in segunda.items] == ["e2", "e1"]
    assert [r.id for r in terceira.items] == ["e0"] and terceira.proximo_cursor is None


def test_each_orgao_keeps_only_its_latest_rejections() -> None:
    vista = RejeitadosPorOrgao(3)
    for n in range(10):
        vista.adicionar(_rejeitado(n))
    vista.adicionar(_rejeitado(50, orgao="26000"))
    assert [r.id for r in vista.pagina("23000", tamanho=10).items] == ["e9", "e8", "e7"]
    assert vista.pagina("26000", tamanho=10).total == 1


@pytest.mark.parametrize("cursor", ["abc", "0", "-1", ""])
def test_a_cursor_not_handed_out_is_refused(cursor: str) -> None:
    with pytest.raises(CursorInvalido, match="cursor inválido"):
        RejeitadosPorOrgao(3).pagina("23000", tamanho=1, cursor=cursor)
