"""Specification of streams.lote: one batch of the stream stage, run without Faust or a broker."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocolo.fold import fold_processo
from protocolo.model import Evento, NivelAcesso, Operacao
from protocolo.referencia import carregar_referencia
from streams.estado import estado_de_bytes
from tests.fixtures.eventos import AUTUACAO, ENVIO, NUP, PROTOCOLO
from tests.fixtures.eventos import T0 as T0_INTAKE
from tests.fixtures.lotes import PistaDeLotes, evento_de_teste

T0 = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def _evento(n: int, /, **campos: object) -> Evento:
    """The n-th event of NUP: an autuação first, then envios and recebimentos, one minute apart."""
    return evento_de_teste(NUP, n, **{"id": f"SEI-{n}", "observacao": f"andamento {n}", **campos})


def _estado(pista: PistaDeLotes, nup: str = NUP) -> object:
    return estado_de_bytes(pista.estados[nup])[0]


def test_a_batch_writes_each_changed_processo_once_with_its_newest_state(pista: PistaDeLotes) -> None:
    eventos = [_evento(n) for n in range(50)]

    lote = pista.passar(*eventos)

    assert list(lote.estados) == [NUP]
    assert [s["versao"] for s in pista.snapshots(lote)] == [50]
    assert len(lote.movimentos) == 50
    assert len(lote.identidades) == len(lote.arquivo) == 50
    assert _estado(pista) == fold_processo(eventos)


def test_the_state_of_a_processo_stays_small_however_long_its_history(pista: PistaDeLotes) -> None:
    tamanhos = []
    for inicio in range(0, 3000, 500):
        pista.passar(*[_evento(n) for n in range(inicio, inicio + 500)])
        tamanhos.append(len(pista.estados[NUP]))

    assert estado_de_bytes(pista.estados[NUP])[0].versao == 3000
    assert max(tamanhos) < 8_000
    assert tamanhos[-1] - tamanhos[1] < 200  # it stopped growing once the bounded sets filled
    snapshot = pista.snapshots(pista.lotes[-1])[0]
    assert len(pista.catalogo.encode("processo", snapshot)) < 8_000


def test_an_exact_resend_is_counted_and_re_emits_its_movimento_and_snapshot(pista: PistaDeLotes) -> None:
    pista.passar(_evento(0), _evento(1))

    lote = pista.passar(_evento(1))

    assert (lote.contagens["duplicados"], lote.contagens["novos"]) == (1, 0)
    assert [m["id"] for m in pista.movimentos(lote)] == ["23000:SEI-1"]
    assert [s["versao"] for s in pista.snapshots(lote)] == [2]
    assert lote.identidades == {} and lote.arquivo == {}


def test_with_exactly_once_a_resend_is_only_counted(pista: PistaDeLotes) -> None:
    pista.exactly_once = True
    pista.passar(_evento(0), _evento(1))

    lote = pista.passar(_evento(1))

    assert lote.contagens["duplicados"] == 1
    assert (lote.processos, lote.movimentos, lote.estados) == ([], [], {})


def test_a_resend_with_other_content_is_a_conflict_dead_letter(pista: PistaDeLotes) -> None:
    pista.passar(_evento(0), _evento(1))

    lote = pista.passar(_evento(1, observacao="outra coisa"))

    assert lote.contagens["conflitos"] == 1
    assert lote.dlq_por_codigo == {"CONFLITO": 1}
    carta = pista.catalogo.decode("dead_letter", lote.dlq[0][1])
    assert "23000:SEI-1" in carta["motivo"] and carta["valor"] is not None
    assert estado_de_bytes(pista.estados[NUP])[0].versao == 2


def test_an_invalid_message_becomes_a_dead_letter_and_the_batch_goes_on(pista: PistaDeLotes) -> None:
    lote = pista.passar(_evento(0), b"isto nao e avro", _evento(1))

    assert lote.dlq_por_codigo == {"MENSAGEM_CORROMPIDA": 1}
    assert [s["versao"] for s in pista.snapshots(lote)] == [2]
    assert lote.contagens["mensagens"] == 3


def test_an_event_read_from_another_partition_is_re_keyed_not_folded(pista: PistaDeLotes) -> None:
    entrada = pista.entrada(_evento(0))
    errada = replace(entrada, particao=(entrada.particao + 1) % 4)

    lote = pista.rodar([errada])

    assert lote.redirecionar == [(NUP.encode(), entrada.valor, entrada.particao)]
    assert (lote.estados, lote.processos) == ({}, [])


def test_an_old_event_arriving_late_never_moves_the_processo_back(pista: PistaDeLotes) -> None:
    pista.passar(_evento(0), _evento(1), _evento(2), _evento(3))

    lote = pista.passar(_evento(-5, id="SEI-atrasado", operacao=Operacao.CIENCIA, unidade_destino=None))

    snapshot = pista.snapshots(lote)[0]
    assert (snapshot["versao"], snapshot["ultima_operacao"], snapshot["em_transito"]) == (5, "ENVIO", True)
    assert snapshot["atualizado_em"] == T0 + timedelta(minutes=3)
    assert [m["ocorrido_em"] for m in pista.movimentos(lote)] == [T0 - timedelta(minutes=5)]


def test_a_processo_made_public_again_publishes_every_movimento_it_withheld(pista: PistaDeLotes) -> None:
    pista.passar(_evento(0), _evento(1))
    sigilo = _evento(2, operacao=Operacao.ALTERACAO_NIVEL_ACESSO, nivel_acesso=NivelAcesso.SIGILOSO)
    escondido = pista.passar(sigilo, _evento(3, nivel_acesso=NivelAcesso.SIGILOSO))
    assert escondido.movimentos == []
    (removido,) = pista.snapshots(escondido)
    assert (removido["versao"], removido["publico"], removido["assunto"], removido["unidades"]) == (
        4,
        False,
        None,
        [],
    )

    lote = pista.passar(_evento(4, operacao=Operacao.ALTERACAO_NIVEL_ACESSO))

    ids = [m["id"] for m in pista.movimentos(lote)]
    assert ids == [f"23000:SEI-{n}" for n in range(5)]
    assert {m["processo_versao"] for m in pista.movimentos(lote)} == {5}


def test_a_replay_after_a_crash_that_wrote_the_state_but_not_the_identities_is_a_resend(
    pista: PistaDeLotes,
) -> None:
    entradas = [pista.entrada(_evento(n)) for n in range(3)]
    pista.rodar(entradas)
    perdidas = dict(pista.identidades)
    pista.identidades.clear()

    lote = pista.rodar(entradas)

    assert (lote.contagens["duplicados"], lote.contagens["novos"]) == (3, 0)
    assert lote.identidades == perdidas  # repaired
    assert estado_de_bytes(pista.estados[NUP])[0].versao == 3


def test_a_replay_after_a_crash_that_wrote_the_identities_but_not_the_state_folds_again(
    pista: PistaDeLotes,
) -> None:
    pista.rodar([pista.entrada(_evento(0))])
    entradas = [pista.entrada(_evento(n)) for n in (1, 2)]
    lote = pista.rodar(entradas, gravar=False)
    pista.identidades.update(lote.identidades)  # the crash left these written, the state not

    lote = pista.rodar(entradas)

    assert (lote.contagens["novos"], lote.contagens["duplicados"]) == (2, 0)
    assert estado_de_bytes(pista.estados[NUP])[0].versao == 3
    # A real resend of an event after that is still recognised.
    assert pista.passar(_evento(2)).contagens["duplicados"] == 1


def test_an_event_that_would_take_the_state_past_the_record_limit_is_a_dead_letter(
    pista: PistaDeLotes,
) -> None:
    pista.limite_registro = 20_000
    longo = [_evento(0, assunto="x" * 3_900), *[_evento(n, observacao="z" * 3_900) for n in range(1, 6)]]
    outro = replace(_evento(0), nup="23037001004201910", id="OUTRO-0")

    lote = pista.passar(*longo, outro)

    grandes = [pista.catalogo.decode("dead_letter", v) for _, v in lote.dlq]
    assert grandes and {c["codigo"] for c in grandes} == {"REGISTRO_GRANDE_DEMAIS"}
    assert all(c["valor"] is not None for c in grandes)  # the event's own bytes fit a letter
    versoes = {s["nup"]: s["versao"] for s in pista.snapshots(lote)}
    assert versoes["23037001004201910"] == 1
    assert versoes[NUP] == 6 - len(grandes)
    assert all(len(v) <= 20_000 for v in pista.estados.values())


@settings(max_examples=60)
@given(st.data())
def test_any_batching_of_any_arrival_order_with_resends_gives_the_sorted_fold(data: st.DataObject) -> None:
    from protocolo.avro import catalogo_padrao

    pista = PistaDeLotes(catalogo_padrao(), carregar_referencia())
    eventos = [_evento(n) for n in range(data.draw(st.integers(1, 25), label="n"))]
    reenvios = data.draw(st.lists(st.sampled_from(eventos), max_size=8), label="reenvios")
    chegada = data.draw(st.permutations([*eventos, *reenvios]), label="chegada")
    cortes = sorted(data.draw(st.sets(st.integers(1, len(chegada)), max_size=5), label="cortes"))
    for inicio, fim in zip([0, *cortes], [*cortes, len(chegada)], strict=True):
        if inicio < fim:
            pista.passar(*chegada[inicio:fim])

    assert _estado(pista) == fold_processo(eventos)
    publicados = {m["id"] for lote in pista.lotes for m in pista.movimentos(lote)}
    assert publicados == {e.chave_identidade for e in eventos}


def test_each_output_names_the_message_that_produced_it(pista: PistaDeLotes) -> None:
    """A record the producer refuses becomes a dead letter naming its own message, not the batch's last."""
    entradas = [pista.entrada(_evento(n)) for n in range(3)]

    lote = pista.rodar(entradas)

    assert [s.origem.offset for s in lote.movimentos] == [e.offset for e in entradas]
    assert [s.origem.offset for s in lote.processos] == [entradas[-1].offset]  # the last that changed it


CLASSIFICACOES = [
    ("nothing known", (), ENVIO, "novos"),
    ("other events known", (AUTUACAO,), ENVIO, "novos"),
    ("same id from another orgao", (ENVIO,), replace(ENVIO, orgao="25000"), "novos"),
    ("exact resend", (AUTUACAO, ENVIO), ENVIO, "duplicados"),
    ("same identity, other observacao", (ENVIO,), replace(ENVIO, observacao="outra"), "conflitos"),
    ("same identity, other destino", (ENVIO,), replace(ENVIO, unidade_destino=PROTOCOLO), "conflitos"),
    ("same identity, other time", (ENVIO,), replace(ENVIO, ocorrido_em=T0_INTAKE), "conflitos"),
]


@pytest.mark.parametrize(
    ("conhecidos", "evento", "contagem"), [c[1:] for c in CLASSIFICACOES], ids=[c[0] for c in CLASSIFICACOES]
)
def test_the_batch_step_tells_new_events_from_resends_and_conflicts(
    conhecidos: tuple[Evento, ...], evento: Evento, contagem: str, pista: PistaDeLotes
) -> None:
    pista.passar(*conhecidos)

    lote = pista.passar(evento)

    assert lote.contagens[contagem] == 1
    assert sum(lote.contagens[c] for c in ("novos", "duplicados", "conflitos")) == 1
    assert [c for c, _ in lote.dlq_por_codigo.items()] == (["CONFLITO"] if contagem == "conflitos" else [])


def test_a_resend_with_the_time_written_in_another_offset_is_a_duplicate_after_intake(
    pista: PistaDeLotes,
) -> None:
    brasilia = replace(ENVIO, ocorrido_em=ENVIO.ocorrido_em.astimezone(timezone(timedelta(hours=-3))))
    pista.passar(ENVIO)

    assert pista.passar(brasilia).contagens["duplicados"] == 1
