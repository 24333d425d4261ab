"""A redrive's extent and the headers it keeps from the raw topic (cli/dlq/redrive.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from cli.dlq.redrive import CABECALHO, Extensao, reenviadas_nos_cabecalhos
from cli.dlq.selecao import Carta
from protocolo.rejeicoes import Origem, Rejeitado


def _carta(particao: int, offset: int, dia: int) -> Carta:
    rejeitado = Rejeitado(
        codigo="EVENTO_INVALIDO",
        motivo="m",
        violacoes=(),
        registrado_em=datetime(2024, 1, dia, tzinfo=UTC),
        carta=Origem("dlq", particao, offset),
        original=Origem("eventos", 0, 0),
    )
    return Carta(rejeitado, {})


def test_the_extent_spans_each_partitions_first_and_last_selected_dead_letter() -> None:
    extensao = Extensao("dlq")
    for particao, offset, dia in [(0, 7, 3), (1, 2, 5), (0, 3, 9), (0, 12, 2)]:
        extensao.incluir(_carta(particao, offset, dia))

    assert extensao.limites == {0: (3, 12), 1: (2, 2)}
    assert extensao.cartas == 4
    assert extensao.desde == datetime(2024, 1, 2, tzinfo=UTC)
    assert [extensao.abrange(n) for n in ("dlq/0/3", "dlq/0/12", "dlq/0/13", "dlq/1/2", "dlq/2/5")] == [
        True,
        True,
        False,
        True,
        False,
    ]
    assert not extensao.abrange("outra.dlq/0/5") and not extensao.abrange("lixo")


def test_only_the_redrive_headers_inside_the_extent_are_kept() -> None:
    extensao = Extensao("tramitacao.dlq")
    extensao.incluir(_carta(0, 10, 1))
    extensao.limites[0] = (10, 20)
    cabecalhos = [
        [(CABECALHO, b"tramitacao.dlq/0/15"), ("outro", b"x")],
        [(CABECALHO, b"tramitacao.dlq/0/21")],
        None,
        [(CABECALHO, b"tramitacao.dlq/1/15")],
    ]

    assert reenviadas_nos_cabecalhos(cabecalhos, extensao) == {"tramitacao.dlq/0/15"}
    assert len(reenviadas_nos_cabecalhos(cabecalhos)) == 3
