"""The subscriptions' two topics on the real broker: the API's records and the notifier's bounce marks.

The race the split removes: the notifier judges a CONFIRMADA record and marks it bouncing while the
API writes a cancel (a tombstone that erases the address) or a new request for the same key. Its
mark may land last. On one shared compacted topic the last writer won, and the mark brought the
address back; on its own topic, bound to the record it judged, it changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from protocolo.inscricoes import Devolucao, EstadoInscricao, Inscricao, chave_inscricao
from protocolo.inscricoes_topico import (
    InscricoesVivas,
    decodificar_inscricao,
    gravar_devolucoes,
    gravar_inscricoes,
)
from protocolo.settings import Settings
from protocolo.topico_compactado import gravar, ler_tabela
from tests.fixtures.espera import eventually

NUP = "23037001462202165"
T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)


def test_a_bounce_mark_that_lands_after_a_cancel_or_a_new_request_changes_nothing(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)
    segredo = settings.secret_key.get_secret_value().encode()
    cancela, pede, devolve = (
        chave_inscricao(segredo, NUP, f"{nome}@example.org") for nome in ("cancela", "pede", "devolve")
    )
    confirmadas = [
        Inscricao(
            c, NUP, f"{n}@example.org", EstadoInscricao.CONFIRMADA, T0, solicitada_em=T0, atualizada_em=T0
        )
        for c, n in ((cancela, "cancela"), (pede, "pede"), (devolve, "devolve"))
    ]
    gravar_inscricoes(settings.kafka, confirmadas)
    # The API: one subscriber cancels, another asks again (a new PENDENTE record, later atualizada_em).
    gravar(settings.kafka, settings.kafka.topics.inscricoes, [(cancela.encode(), None)])
    de_novo = Inscricao(
        pede,
        NUP,
        "pede@example.org",
        EstadoInscricao.PENDENTE,
        T0,
        solicitada_em=T0,
        atualizada_em=T0 + timedelta(hours=1),
    )
    gravar_inscricoes(settings.kafka, [de_novo])
    # The notifier's marks, judged on the T0 records, land after the API's writes.
    agora = T0 + timedelta(hours=2)
    gravar_devolucoes(settings.kafka, [Devolucao(c, T0, 3, agora) for c in (cancela, pede, devolve)])

    vista = InscricoesVivas(settings.kafka)
    assert vista.iniciar(timeout_s=30)
    try:
        eventually(lambda: vista.buscar(devolve) is not None, what="the view loaded")
        assert vista.buscar(cancela) is None
        pedido = vista.buscar(pede)
        assert pedido is not None and pedido.estado is EstadoInscricao.PENDENTE
        devolvendo = vista.buscar(devolve)
        assert devolvendo is not None and devolvendo.estado is EstadoInscricao.DEVOLVENDO
    finally:
        vista.parar()
    # The API's topic holds only the API's records: the cancelled address is gone from it.
    tabela = ler_tabela(settings.kafka, settings.kafka.topics.inscricoes, decodificar_inscricao)
    assert set(tabela) == {pede, devolve}
    assert (tabela[pede]["estado"], tabela[devolve]["estado"]) == ("PENDENTE", "CONFIRMADA")
