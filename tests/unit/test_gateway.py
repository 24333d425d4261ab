"""The gateway's judgement of a batch: accepted, in-batch duplicates, rejections, other órgãos."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.gateway import Status, avaliar_lote

AGORA = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _evento(n: int, **campos: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"SEI-{n}",
        "orgao": "23000",
        "nup": "23037.001462/2021-65",
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "ocorrido_em": f"2021-03-0{n}T10:00:00-03:00",
        "nivel_acesso": "PUBLICO",
        "unidade_origem": {"codigo": "2300001"},
        "unidade_destino": {"codigo": "2300002"},
    }
    return base | campos


def test_valid_events_are_accepted_in_batch_order() -> None:
    avaliacao = avaliar_lote([_evento(1), _evento(2)], orgao="23000", agora=AGORA)

    assert [(r.indice, r.id, r.status) for r in avaliacao.resultados] == [
        (0, "SEI-1", Status.ACEITO),
        (1, "SEI-2", Status.ACEITO),
    ]
    assert [e.id for e in avaliacao.a_produzir] == ["SEI-1", "SEI-2"]
    assert avaliacao.proibidos == []


def test_an_exact_repeat_in_the_batch_is_a_duplicate_produced_once() -> None:
    avaliacao = avaliar_lote([_evento(1), _evento(1)], orgao="23000", agora=AGORA)

    assert [r.status for r in avaliacao.resultados] == [Status.ACEITO, Status.DUPLICADO]
    assert len(avaliacao.a_produzir) == 1


def test_the_same_id_with_other_content_in_the_batch_is_rejected_as_a_conflict() -> None:
    outro = _evento(1, observacao="outro conteúdo")

    avaliacao = avaliar_lote([_evento(1), outro], orgao="23000", agora=AGORA)

    assert avaliacao.resultados[1].status is Status.REJEITADO
    assert avaliacao.resultados[1].violacoes[0].campo == "id"
    assert len(avaliacao.a_produzir) == 1


def test_an_invalid_event_is_rejected_with_every_violation_and_the_rest_go_on() -> None:
    ruim = _evento(2, unidade_destino=None, nivel_acesso="SECRETO")

    avaliacao = avaliar_lote([_evento(1), ruim, "não é objeto"], orgao="23000", agora=AGORA)

    assert [r.status for r in avaliacao.resultados] == [Status.ACEITO, Status.REJEITADO, Status.REJEITADO]
    campos = {v.campo for v in avaliacao.resultados[1].violacoes}
    assert campos == {"unidade_destino", "nivel_acesso"}
    assert avaliacao.resultados[2].id is None and avaliacao.resultados[2].violacoes


def test_events_of_another_orgao_are_named_as_forbidden() -> None:
    avaliacao = avaliar_lote(
        [_evento(1), _evento(2, orgao="25000"), _evento(3, orgao=" 23000 ")], orgao="23000", agora=AGORA
    )

    assert [(p.indice, p.id, p.orgao) for p in avaliacao.proibidos] == [(1, "SEI-2", "25000")]
