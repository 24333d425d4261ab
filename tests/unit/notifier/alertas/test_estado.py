"""The alert sender's pure state and plan: what a batch tells each alert, and which e-mails are due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from notifier.alertas.estado import EstadoAlertas, Novidade, novidade_from_avro, novidade_to_avro
from notifier.alertas.janelas import fim_da_janela, janela
from notifier.alertas.plano import RedatorAlertas, assunto_do_aviso, planejar_envios
from protocolo.alertas.alerta import Alerta, alerta_to_avro
from protocolo.alertas.consulta import ConsultaAlerta, Frequencia, Termo, TipoTermo
from protocolo.alertas.indice import Casador
from protocolo.inscricoes import EstadoInscricao
from protocolo.nup import gerar_nup
from tests.fixtures.snapshots import snapshot_minimo

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
NUP = "23037001462202165"
OUTRO = "23037001463202118"
REDATOR = RedatorAlertas(
    remetente="Protocolo <nao-responda@protocolo.gov.br>",
    base_url="https://protocolo.gov.br",
    segredo=b"segredo",
    validade=timedelta(hours=48),
)
DIA = 86_400.0


def _movimento(nup: str, n: int, versao: int) -> dict[str, Any]:
    return {
        "id": f"26000:m{n}",
        "nup": nup,
        "operacao": "ENVIO",
        "ocorrido_em": T0,
        "processo_versao": versao,
    }


def _estado(*alertas: tuple[str, Frequencia, bool]) -> EstadoAlertas:
    estado = EstadoAlertas(Casador())
    for chave, frequencia, movimentos in alertas:
        consulta = ConsultaAlerta(grupos=((Termo(TipoTermo.PALAVRA, texto="licitação"),),))
        alerta = Alerta(
            chave,
            f"{chave}@example.com",
            consulta,
            "“licitação”",
            frequencia,
            movimentos,
            EstadoInscricao.CONFIRMADA,
            T0,
            T0,
            T0,
        )
        estado.aplicar_alerta(chave, alerta_to_avro(alerta))
    return estado


def test_a_processo_newly_matching_is_told_once_and_a_non_matching_one_never() -> None:
    estado = _estado(("a", Frequencia.IMEDIATO, False))
    novas = estado.novidades(
        [snapshot_minimo(NUP, "Licitação de obras"), snapshot_minimo(OUTRO, "Reforma")], [], T0
    )
    assert [(n.alerta, n.tipo, n.nup, n.versao) for n in novas] == [("a", "NOVO", NUP, 1)]
    for n in novas:
        estado.aplicar_novidade(n)
    assert estado.novidades([snapshot_minimo(NUP, "Licitação de obras", 2)], [], T0) == []


def test_a_non_public_snapshot_never_makes_a_novelty() -> None:
    estado = _estado(("a", Frequencia.IMEDIATO, True))
    assert (
        estado.novidades([snapshot_minimo(NUP, "Licitação", publico=False)], [_movimento(NUP, 1, 1)], T0)
        == []
    )


def test_movements_are_told_only_with_movimentos_and_not_the_one_the_new_match_covers() -> None:
    estado = _estado(("so_novos", Frequencia.IMEDIATO, False), ("todos", Frequencia.IMEDIATO, True))
    for n in estado.novidades([snapshot_minimo(NUP, "Licitação", 1)], [], T0):
        estado.aplicar_novidade(n)
    # The autuação's own movimento read after its snapshot (version 1), then a real movement (version 2).
    novas = estado.novidades([], [_movimento(NUP, 1, 1), _movimento(NUP, 2, 2)], T0)
    assert [(n.alerta, n.tipo, n.item) for n in novas] == [("todos", "MOVIMENTO", "26000:m2")]


def test_the_outbox_read_back_keeps_the_version_that_newly_matched() -> None:
    estado = _estado(("todos", Frequencia.IMEDIATO, True))
    (novo,) = estado.novidades([snapshot_minimo(NUP, "Licitação", 3)], [], T0)
    relido = _estado(("todos", Frequencia.IMEDIATO, True))
    relido.aplicar_novidade(novidade_from_avro(novidade_to_avro(novo)))
    relido.casados[NUP] = {"todos"}
    assert relido.novidades([], [_movimento(NUP, 3, 3)], T0) == []
    assert len(relido.novidades([], [_movimento(NUP, 4, 4)], T0)) == 1


def _caixa(estado: EstadoAlertas, *instantes: datetime) -> list[Novidade]:
    novas = []
    for i, instante in enumerate(instantes):
        (n,) = estado.novidades(
            [snapshot_minimo(gerar_nup(unidade=23037, sequencial=i + 1, ano=2024).digitos, "Licitação")],
            [],
            instante,
        )
        estado.aplicar_novidade(n)
        novas.append(n)
    return novas


def test_a_digest_waits_for_its_interval_to_close_and_lists_everything_of_it() -> None:
    estado = _estado(("d", Frequencia.DIARIO, False))
    inicio = fim_da_janela(janela(T0, DIA), DIA)  # midnight in Brasília
    _caixa(estado, inicio + timedelta(hours=1), inicio + timedelta(hours=5), inicio + timedelta(hours=30))

    def planejar(agora: datetime, enviados: set[str]) -> list[Any]:
        return planejar_envios(estado, enviados, REDATOR, agora=agora, diario_s=DIA, semanal_s=7 * DIA)

    assert planejar(inicio + timedelta(hours=23), set()) == []  # the first day is still open
    (primeiro,) = planejar(inicio + timedelta(hours=24, seconds=1), set())
    assert primeiro.mensagem.get_body(("plain",)).get_content().count("Novo processo") == 2
    assert str(primeiro.mensagem["Subject"]) == "Resumo do dia: 2 processos novos na sua busca"
    # Sent: the same plan again (a restart) finds its Message-ID in enviadas and sends nothing.
    assert planejar(inicio + timedelta(hours=25), {primeiro.message_id}) == []
    (segundo,) = planejar(inicio + timedelta(hours=48, seconds=1), {primeiro.message_id})
    assert segundo.message_id != primeiro.message_id


def test_an_immediate_alert_mails_each_novelty_under_its_own_message_id() -> None:
    estado = _estado(("i", Frequencia.IMEDIATO, False))
    _caixa(estado, T0, T0 + timedelta(seconds=1))
    envios = planejar_envios(estado, set(), REDATOR, agora=T0, diario_s=DIA, semanal_s=7 * DIA)
    assert len({e.message_id for e in envios}) == 2
    assert all(e.mensagem["To"] == "i@example.com" for e in envios)
    assert all("/alertas/cancelar/" in str(e.mensagem["List-Unsubscribe"]) for e in envios)


def test_subjects_read_well_in_portuguese() -> None:
    def itens(*tipos: str) -> list[Novidade]:
        return [Novidade("a", t, str(n), NUP, None, None, None, None, T0) for n, t in enumerate(tipos)]

    formatado = "23037.001462/2021-65"
    assert assunto_do_aviso(Frequencia.IMEDIATO, itens("NOVO")) == f"Novo processo na sua busca: {formatado}"
    assert (
        assunto_do_aviso(Frequencia.IMEDIATO, itens("MOVIMENTO")) == f"Movimentação na sua busca: {formatado}"
    )
    assert assunto_do_aviso(Frequencia.DIARIO, itens("NOVO")) == "Resumo do dia: 1 processo novo na sua busca"
    assert (
        assunto_do_aviso(Frequencia.SEMANAL, itens("NOVO", "NOVO", "MOVIMENTO"))
        == "Resumo da semana: 2 processos novos e 1 movimentação na sua busca"
    )
    assert assunto_do_aviso(Frequencia.DIARIO, itens("MOVIMENTO", "MOVIMENTO")) == (
        "Resumo do dia: 2 movimentações na sua busca"
    )


def test_a_novelty_remembered_as_told_is_not_mailed_and_not_told_as_new_again() -> None:
    estado = _estado(("i", Frequencia.IMEDIATO, False))
    (antiga,) = _estado(("i", Frequencia.IMEDIATO, False)).novidades(
        [snapshot_minimo(NUP, "Licitação")], [], T0
    )
    estado.aplicar_novidade(antiga, contada=True)
    assert planejar_envios(estado, set(), REDATOR, agora=T0, diario_s=DIA, semanal_s=7 * DIA) == []
    assert estado.novidades([snapshot_minimo(NUP, "Licitação", 2)], [], T0) == []


def test_a_digest_lists_new_processos_first_then_each_processos_movements_in_order() -> None:
    estado = _estado(("d", Frequencia.DIARIO, True))
    for n in estado.novidades([snapshot_minimo(NUP, "Licitação", 1)], [], T0):
        estado.aplicar_novidade(n)
    tarde, cedo = _movimento(NUP, 3, 3), _movimento(NUP, 2, 2)
    tarde["ocorrido_em"], cedo["ocorrido_em"] = T0 + timedelta(hours=2), T0 + timedelta(hours=1)
    for n in estado.novidades([snapshot_minimo(OUTRO, "Licitação", 1)], [tarde, cedo], T0):
        estado.aplicar_novidade(n)
    agora = T0 + timedelta(days=2)
    (resumo,) = planejar_envios(estado, set(), REDATOR, agora=agora, diario_s=DIA, semanal_s=7 * DIA)
    linhas = [x for x in resumo.mensagem.get_body(("plain",)).get_content().splitlines() if " — " in x]
    assert [x.split(" — ")[0] for x in linhas] == [
        "Novo processo",
        "Novo processo",
        "Movimentação: Envio",
        "Movimentação: Envio",
    ]
    assert "(05/03/2024 às 15:00)" in linhas[2] and "(05/03/2024 às 16:00)" in linhas[3]


def test_a_processo_made_non_public_leaves_the_outbox_and_is_new_again_when_public() -> None:
    estado = _estado(("d", Frequencia.DIARIO, True))
    for n in estado.novidades([snapshot_minimo(NUP, "Licitação", 1)], [], T0):
        estado.aplicar_novidade(n)
    assert estado.retirar([OUTRO]) == []
    assert estado.retirar([NUP]) == [f"d#NOVO#{NUP}"]
    agora = T0 + timedelta(days=2)
    assert planejar_envios(estado, set(), REDATOR, agora=agora, diario_s=DIA, semanal_s=7 * DIA) == []
    (de_novo,) = estado.novidades([snapshot_minimo(NUP, "Licitação", 3)], [], T0)
    assert (de_novo.tipo, de_novo.versao) == ("NOVO", 3)
