"""The fold step of the streams: classify against stored events, advance the cached processo."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from protocolo.fold import fold_processo
from protocolo.validation import evento_to_json
from streams.app import particao_do_nup
from streams.dobra import Dobra
from streams.intake import Decisao
from tests.unit.test_pipeline_logic import AUTUACAO, ENVIO, NUP_OUTRO


def guardados(*eventos: Any) -> dict[str, dict[str, Any]]:
    return {e.chave_identidade: evento_to_json(e) for e in eventos}


def test_a_new_event_advances_the_processo_and_returns_what_to_store() -> None:
    dobra = Dobra()

    passo = dobra.aplicar(guardados(AUTUACAO), ENVIO)

    assert passo.decisao is Decisao.NOVO
    assert passo.processo == fold_processo([AUTUACAO, ENVIO])
    assert passo.guardar == guardados(AUTUACAO, ENVIO)


def test_an_exact_resend_is_a_duplicate_with_the_current_state_and_nothing_to_store() -> None:
    passo = Dobra().aplicar(guardados(AUTUACAO, ENVIO), AUTUACAO)

    assert passo.decisao is Decisao.DUPLICADO
    assert passo.processo == fold_processo([AUTUACAO, ENVIO])
    assert passo.guardar is None


def test_the_same_identity_with_other_content_is_a_conflict() -> None:
    alterado = replace(AUTUACAO, assunto="Outro assunto")

    passo = Dobra().aplicar(guardados(AUTUACAO), alterado)

    assert passo.decisao is Decisao.CONFLITO
    assert passo.processo is None and passo.guardar is None


def test_an_old_event_arriving_late_lands_in_its_place() -> None:
    dobra = Dobra()
    dobra.aplicar({}, AUTUACAO)
    tardio = replace(ENVIO, id="SEI-0", ocorrido_em=AUTUACAO.ocorrido_em - timedelta(minutes=1))
    passo = dobra.aplicar(guardados(AUTUACAO), tardio)

    assert passo.processo == fold_processo([AUTUACAO, tardio])
    assert passo.processo is not None and passo.processo.historico[0] == tardio


def test_a_stale_or_forgotten_state_is_rebuilt_from_the_stored_events() -> None:
    dobra = Dobra()
    dobra.aplicar({}, AUTUACAO)  # remembers versao 1
    # Another worker folded ENVIO meanwhile: the table holds two events, the memory one.
    terceiro = replace(ENVIO, id="SEI-3", ocorrido_em=ENVIO.ocorrido_em + timedelta(hours=1))

    passo = dobra.aplicar(guardados(AUTUACAO, ENVIO), terceiro)

    assert passo.processo == fold_processo([AUTUACAO, ENVIO, terceiro])
    dobra.esquecer()
    assert len(dobra) == 0


def test_the_memory_keeps_at_most_its_capacity_least_recently_used_out() -> None:
    dobra = Dobra(capacidade=1)
    dobra.aplicar({}, AUTUACAO)
    dobra.aplicar({}, replace(AUTUACAO, nup=NUP_OUTRO))

    assert len(dobra) == 1


def test_the_partition_of_a_nup_is_kafkas_murmur2() -> None:
    # Reference values from Kafka's Java client (Utils.murmur2 on the key's bytes, 4 partitions).
    assert particao_do_nup(b"21", 4) == (-973932308 & 0x7FFFFFFF) % 4
    assert particao_do_nup(b"foobar", 4) == (-790332482 & 0x7FFFFFFF) % 4


def test_a_processo_made_public_again_publishes_its_withheld_movimentos() -> None:
    from protocolo.model import NivelAcesso, Operacao
    from streams.projection import movimentos_a_emitir

    sigilo = replace(
        ENVIO, id="SEI-9", operacao=Operacao.ALTERACAO_NIVEL_ACESSO, nivel_acesso=NivelAcesso.SIGILOSO
    )
    abertura = replace(
        sigilo,
        id="SEI-10",
        ocorrido_em=sigilo.ocorrido_em + timedelta(days=1),
        nivel_acesso=NivelAcesso.PUBLICO,
    )
    publico = fold_processo([AUTUACAO])
    sigiloso = fold_processo([AUTUACAO, sigilo])
    reaberto = fold_processo([AUTUACAO, sigilo, abertura])

    assert movimentos_a_emitir(None, publico, AUTUACAO, restrito_publico=False) == (AUTUACAO,)
    assert movimentos_a_emitir(publico, sigiloso, sigilo, restrito_publico=False) == ()
    assert movimentos_a_emitir(sigiloso, reaberto, abertura, restrito_publico=False) == reaberto.historico
