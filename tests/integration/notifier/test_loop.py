"""The notifier against a real broker and a real SMTP server that refuses some recipients.

The relay (aiosmtpd) answers 550 to addresses starting with `devolve` (permanent), 451 to the first
two attempts for `ocupado` (temporary), and accepts everything else. The notifier runs in a thread
of this process with its real Kafka clients.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from cli.stack import porta_livre
from notifier.loop import Notifier
from protocolo.avro import catalogo_padrao
from protocolo.inscricoes import EstadoInscricao, Inscricao, chave_inscricao
from protocolo.inscricoes_topico import (
    InscricoesVivas,
    decodificar_devolucao,
    decodificar_inscricao,
    gravar_inscricoes,
)
from protocolo.settings import NotifierSettings, Settings, SmtpSettings
from protocolo.topico_compactado import ler_tabela
from tests.fixtures.espera import eventually
from tests.fixtures.kafka import produzir
from tests.fixtures.notificacoes import NUP, T0, movimento


class Relay:
    """aiosmtpd handler: refuses by address prefix, counts attempts and deliveries per address."""

    def __init__(self) -> None:
        self.tentativas: Counter[str] = Counter()
        self.entregues: Counter[str] = Counter()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.tentativas[address] += 1
        if address.startswith("devolve"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("ocupado") and self.tentativas[address] <= 2:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for endereco in envelope.rcpt_tos:
            self.entregues[endereco] += 1
        return "250 OK"


@pytest.fixture
def relay() -> Iterator[tuple[Relay, int]]:
    handler, porta = Relay(), porta_livre()
    controller = Controller(handler, hostname="127.0.0.1", port=porta)
    controller.start()
    yield handler, porta
    controller.stop()


@pytest.fixture
def notifier_factory(settings_factory: Callable[..., Settings]) -> Iterator[Callable[[Settings], None]]:
    rodando: list[tuple[Notifier, threading.Thread]] = []

    def iniciar(settings: Settings) -> None:
        notifier = Notifier(settings)
        thread = threading.Thread(target=notifier.executar, daemon=True)
        thread.start()
        rodando.append((notifier, thread))

    yield iniciar
    for notifier, thread in rodando:
        notifier.parar()
        thread.join(30)


def _movimento(n: int) -> dict[str, Any]:
    """The n-th movimento, with an id of its own in every run."""
    return movimento(n, id=f"23000:SEI-{uuid.uuid4().hex[:6]}-{n}")


def _publicar(settings: Settings, movimentos: list[dict[str, Any]]) -> None:
    catalogo = catalogo_padrao()
    mensagens = [(NUP.encode(), catalogo.encode("movimento", m)) for m in movimentos]
    produzir(settings.kafka, settings.kafka.topics.movimentos, mensagens)


def test_temporary_failures_are_retried_and_permanent_ones_mark_the_subscription_bouncing(
    settings_factory: Callable[..., Settings],
    relay: tuple[Relay, int],
    notifier_factory: Callable[[Settings], None],
) -> None:
    handler, porta = relay
    settings = settings_factory(
        notifier=NotifierSettings(concorrencia=3, emails_por_s=200, espera_inicial_s=0.1, devolucoes_max=3),
        carregar_referencia_exemplo=False,
    )
    settings = settings.model_copy(update={"smtp": SmtpSettings(port=porta)})
    segredo = settings.secret_key.get_secret_value().encode()
    enderecos = ["normal@example.org", "devolve@example.org", "ocupado@example.org"]
    chaves = {e: chave_inscricao(segredo, NUP, e) for e in enderecos}
    gravar_inscricoes(
        settings.kafka,
        [Inscricao(chaves[e], NUP, e, EstadoInscricao.CONFIRMADA, T0, atualizada_em=T0) for e in enderecos],
    )
    notifier_factory(settings)

    _publicar(settings, [_movimento(n) for n in range(1, 4)])
    eventually(
        lambda: (
            handler.entregues["normal@example.org"] == 3 and handler.entregues["ocupado@example.org"] == 3
        ),
        what="every message to the healthy and the busy address",
    )

    def marca_devolve() -> dict[str, Any] | None:
        tabela = ler_tabela(settings.kafka, settings.kafka.topics.devolucoes, decodificar_devolucao)
        return tabela.get(chaves["devolve@example.org"])

    marca = eventually(marca_devolve, what="the bouncing mark on the notifier's topic")
    assert (marca["inscricao_atualizada_em"], marca["recusas"]) == (T0, 3)
    # inscricoes keeps the API's record (the notifier never writes it); the API's view folds the mark.
    inscricoes = ler_tabela(settings.kafka, settings.kafka.topics.inscricoes, decodificar_inscricao)
    assert {r["estado"] for r in inscricoes.values()} == {"CONFIRMADA"}
    vista = InscricoesVivas(settings.kafka)
    assert vista.iniciar(timeout_s=30)
    try:
        devolve = vista.buscar(chaves["devolve@example.org"])
        assert devolve is not None and devolve.estado is EstadoInscricao.DEVOLVENDO
        normal = vista.buscar(chaves["normal@example.org"])
        assert normal is not None and normal.estado is EstadoInscricao.CONFIRMADA
    finally:
        vista.parar()
    assert handler.tentativas["devolve@example.org"] == 3
    assert handler.tentativas["ocupado@example.org"] == 5  # 2 refusals + 3 deliveries

    _publicar(settings, [_movimento(4)])
    eventually(lambda: handler.entregues["normal@example.org"] == 4, what="the fourth movement")
    assert handler.tentativas["devolve@example.org"] == 3  # no longer mailed
    enviadas = ler_tabela(
        settings.kafka, settings.kafka.topics.enviadas, lambda v: catalogo_padrao().decode("notificacao", v)
    )
    assert Counter(r["resultado"] for r in enviadas.values()) == {"ENVIADA": 8, "RECUSADA": 3}
