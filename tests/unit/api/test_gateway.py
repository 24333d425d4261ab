"""The gateway's judgement of a batch (accepted, duplicates, rejections, other órgãos) and its memory."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from api.gateway import Status, avaliar_lote
from api.gateway_memoria import MemoriaGateway
from protocolo.impressao import impressao

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


def _publicar(memoria: MemoriaGateway, lote: list[dict[str, Any]]) -> None:
    """What the route does once the broker acknowledged a batch."""
    memoria.registrar(avaliar_lote(lote, orgao="23000", agora=AGORA).a_registrar)


def test_events_already_published_are_duplicates_and_not_produced_again() -> None:
    memoria = MemoriaGateway(100)
    _publicar(memoria, [_evento(1), _evento(2)])

    avaliacao = avaliar_lote(
        [_evento(1), _evento(3), _evento(2)], orgao="23000", agora=AGORA, publicados=memoria.consultar
    )

    assert [r.status for r in avaliacao.resultados] == [Status.DUPLICADO, Status.ACEITO, Status.DUPLICADO]
    assert [e.id for e in avaliacao.a_produzir] == ["SEI-3"]
    assert [chave for chave, _ in avaliacao.a_registrar] == ["23000:SEI-3"]


def test_an_id_already_published_with_other_content_is_rejected_every_time_it_appears() -> None:
    memoria = MemoriaGateway(100)
    _publicar(memoria, [_evento(1)])
    outro = _evento(1, observacao="corrigido")

    avaliacao = avaliar_lote([outro, outro], orgao="23000", agora=AGORA, publicados=memoria.consultar)

    assert [r.status for r in avaliacao.resultados] == [Status.REJEITADO, Status.REJEITADO]
    violacao = avaliacao.resultados[0].violacoes[0]
    assert violacao.campo == "id"
    assert violacao.motivo.startswith("já publicado com conteúdo diferente; ")
    assert avaliacao.a_produzir == []


def test_the_same_instant_with_another_offset_is_the_same_content_as_the_streams_see_it() -> None:
    memoria = MemoriaGateway(100)
    _publicar(memoria, [_evento(1)])  # 2021-03-01T10:00:00-03:00
    em_utc = _evento(1, ocorrido_em="2021-03-01T13:00:00.000400Z")  # below the topic's milliseconds

    contra_memoria = avaliar_lote([em_utc], orgao="23000", agora=AGORA, publicados=memoria.consultar)
    no_lote = avaliar_lote([_evento(1), em_utc], orgao="23000", agora=AGORA)
    um_ms_depois = avaliar_lote(
        [_evento(1, ocorrido_em="2021-03-01T13:00:00.001Z")], orgao="23000", agora=AGORA
    )

    assert contra_memoria.resultados[0].status is Status.DUPLICADO
    assert [r.status for r in no_lote.resultados] == [Status.ACEITO, Status.DUPLICADO]
    assert impressao(um_ms_depois.a_produzir[0]) != impressao(no_lote.a_produzir[0])


def test_rejected_and_duplicate_items_are_not_remembered() -> None:
    avaliacao = avaliar_lote(
        [_evento(1), _evento(1), _evento(2, unidade_destino=None), _evento(1, assunto="outro")],
        orgao="23000",
        agora=AGORA,
    )

    assert avaliacao.a_registrar == [("23000:SEI-1", impressao(avaliacao.a_produzir[0]))]


def test_the_memory_forgets_the_least_recently_used_event_beyond_its_capacity() -> None:
    memoria = MemoriaGateway(2)
    memoria.registrar([("23000:a", b"1"), ("23000:b", b"2")])
    assert memoria.consultar("23000:a") == b"1"  # a is now the most recently used

    memoria.registrar([("23000:c", b"3")])

    assert len(memoria) == 2
    assert memoria.consultar("23000:b") is None
    assert (memoria.consultar("23000:a"), memoria.consultar("23000:c")) == (b"1", b"3")


def test_a_memory_of_capacity_zero_remembers_nothing() -> None:
    memoria = MemoriaGateway(0)
    memoria.registrar([("23000:a", b"1")])

    assert memoria.consultar("23000:a") is None


def test_a_reserved_event_is_busy_for_others_until_the_publisher_finishes_even_on_failure() -> None:
    async def cenario() -> None:
        memoria = MemoriaGateway(10)
        with pytest.raises(RuntimeError), memoria.reservar(["23000:a", "23000:b", "23000:a"]):
            ocupadas = memoria.ocupadas(["23000:b", "23000:c"])
            assert len(ocupadas) == 1
            with memoria.reservar(["23000:b", "23000:c"]):  # b stays the first publisher's
                assert memoria.ocupadas(["23000:b"]) == ocupadas
                assert len(memoria.ocupadas(["23000:c"]) - ocupadas) == 1
            assert memoria.ocupadas(["23000:c"]) == set()
            raise RuntimeError("broker fora")
        assert all(f.done() for f in ocupadas)
        assert memoria.ocupadas(["23000:a", "23000:b"]) == set()

    asyncio.run(cenario())


def test_a_second_request_waiting_for_the_first_judges_its_batch_again_as_duplicate() -> None:
    async def cenario() -> list[Status]:
        memoria = MemoriaGateway(10)
        lote = [_evento(1)]
        primeira = avaliar_lote(lote, orgao="23000", agora=AGORA, publicados=memoria.consultar)
        chaves = [c for c, _ in primeira.a_registrar]

        async def segunda() -> list[Status]:
            avaliacao = avaliar_lote(lote, orgao="23000", agora=AGORA, publicados=memoria.consultar)
            assert [r.status for r in avaliacao.resultados] == [Status.ACEITO]  # not yet acknowledged
            await asyncio.wait(memoria.ocupadas(c for c, _ in avaliacao.a_registrar))
            avaliacao = avaliar_lote(lote, orgao="23000", agora=AGORA, publicados=memoria.consultar)
            return [r.status for r in avaliacao.resultados]

        with memoria.reservar(chaves):
            espera = asyncio.create_task(segunda())
            await asyncio.sleep(0)  # let the second request reach its wait
            assert not espera.done()
            memoria.registrar(primeira.a_registrar)  # the broker acknowledged the first
        return await espera

    assert asyncio.run(cenario()) == [Status.DUPLICADO]
