"""One endpoint's worker, with fakes for its ports: order, retries, disabling, removal."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

from protocolo.webhooks import Alvo, TipoAlvo, Webhook
from webhooks.endpoint import Endpoint, Portas
from webhooks.entregas import Entrega, EstadoEntrega
from webhooks.http import Resultado

WEBHOOK = Webhook(
    "wh_1", "i", "https://e.org/wh", Alvo(TipoAlvo.NUP, "1"), (), datetime(2026, 1, 1, tzinfo=UTC)
)


class Fakes:
    """Records what the worker asked for; answers attempts from a script (True = 2xx)."""

    def __init__(self, respostas: Iterator[bool], *, falhas_max: int = 3) -> None:
        self.respostas = respostas
        self.existe = True
        self.tentativas: list[str] = []
        self.concluidas: list[tuple[str, EstadoEntrega]] = []
        self.desativacoes: list[int] = []
        self.portas = Portas(
            webhook=lambda _id: WEBHOOK if self.existe else None,
            tentar=self.tentar,
            concluir=self.concluir,
            desativar=self.desativar,
            espera_inicial_s=0.001,
            espera_max_s=0.002,
            falhas_max=falhas_max,
        )

    async def tentar(self, webhook: Webhook, entrega: Entrega) -> Resultado:
        self.tentativas.append(entrega.id)
        return Resultado(True) if next(self.respostas) else Resultado(False, "HTTP 503")

    async def concluir(self, entregas: list[Entrega], estado: EstadoEntrega) -> None:
        self.concluidas += [(e.id, estado) for e in entregas]

    async def desativar(self, webhook: Webhook, falhas: int, motivo: str) -> None:
        self.desativacoes.append(falhas)


async def _ate(condicao: object, limite_s: float = 2.0) -> None:
    fim = asyncio.get_running_loop().time() + limite_s
    while not condicao() and asyncio.get_running_loop().time() < fim:  # type: ignore[operator]
        await asyncio.sleep(0.001)


def test_deliveries_go_in_order_and_a_failure_is_retried_before_the_next() -> None:
    async def cenario() -> Fakes:
        fakes = Fakes(iter([False, False, True, True]))
        endpoint = Endpoint("wh_1", fakes.portas)
        for id_ in ("a", "b"):
            endpoint.enfileirar(Entrega(id_, "wh_1", b"{}"))
        await _ate(lambda: len(fakes.concluidas) == 2)
        endpoint.parar()
        return fakes

    fakes = asyncio.run(cenario())
    assert fakes.tentativas == ["a", "a", "a", "b"]
    assert fakes.concluidas == [("a", EstadoEntrega.ENTREGUE), ("b", EstadoEntrega.ENTREGUE)]
    assert fakes.desativacoes == []


def test_the_failure_limit_disables_the_endpoint_and_gives_up_what_is_queued() -> None:
    async def cenario() -> tuple[Fakes, Endpoint]:
        fakes = Fakes(iter([False] * 10), falhas_max=3)
        endpoint = Endpoint("wh_1", fakes.portas)
        for id_ in ("a", "b", "c"):
            endpoint.enfileirar(Entrega(id_, "wh_1", b"{}"))
        await _ate(lambda: endpoint.tarefa.done())
        return fakes, endpoint

    fakes, endpoint = asyncio.run(cenario())
    assert fakes.tentativas == ["a", "a", "a"] and fakes.desativacoes == [3]
    assert fakes.concluidas == [(id_, EstadoEntrega.DESCARTADA) for id_ in ("a", "b", "c")]
    assert endpoint.tarefa.done() and endpoint.tarefa.exception() is None


def test_a_success_resets_the_count_of_failures_in_a_row() -> None:
    async def cenario() -> Fakes:
        fakes = Fakes(iter([False, False, True, False, False, True]), falhas_max=3)
        endpoint = Endpoint("wh_1", fakes.portas)
        for id_ in ("a", "b"):
            endpoint.enfileirar(Entrega(id_, "wh_1", b"{}"))
        await _ate(lambda: len(fakes.concluidas) == 2)
        endpoint.parar()
        return fakes

    fakes = asyncio.run(cenario())
    assert fakes.desativacoes == [] and [e for _, e in fakes.concluidas] == [EstadoEntrega.ENTREGUE] * 2


def test_a_removed_webhook_gets_nothing_more() -> None:
    async def cenario() -> Fakes:
        fakes = Fakes(iter([True] * 5))
        fakes.existe = False
        endpoint = Endpoint("wh_1", fakes.portas)
        endpoint.enfileirar(Entrega("a", "wh_1", b"{}"))
        await _ate(lambda: endpoint.tarefa.done())
        return fakes

    fakes = asyncio.run(cenario())
    assert fakes.tentativas == [] and fakes.concluidas == [("a", EstadoEntrega.DESCARTADA)]
