"""Specification of cli.reconciliacao.conciliacao: counts and mismatches from decoded records, no servers.

The records come from the code production runs: the streams' batch step (streams.lote) turns raw
messages into movimentos and dead letters, and the indexer's plan (indexer.documents) into the
documents an index holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cli.reconciliacao.conciliacao import (
    ILEGIVEL,
    Conciliacao,
    Divergencia,
    Faixa,
    Relatorio,
    dia_de_brasilia,
)
from indexer.documents import acoes_do_lote, documento_movimento
from notifier.messages import message_id
from protocolo.model import Evento, NivelAcesso
from protocolo.registros import evento_mensagem
from tests.fixtures.lotes import T0, PistaDeLotes, evento_de_teste

PUBLICO_NUP = "23037001462202165"
RESTRITO_NUP = "23037001463202118"
OCULTADO_NUP = "23037001464202154"
DIA = date(2024, 3, 5)


_evento = evento_de_teste


@dataclass
class Execucao:
    """Raw messages run through the streams' batch step and the indexer's plan, as the pipeline would."""

    pista: PistaDeLotes
    brutos: list[bytes | None] = field(default_factory=list)
    cartas: list[dict[str, Any]] = field(default_factory=list)
    movimentos: list[dict[str, Any]] = field(default_factory=list)
    documentos: dict[str, dict[str, Any]] = field(default_factory=dict)
    processos: dict[str, dict[str, Any]] = field(default_factory=dict)

    def passar(self, *eventos: Evento | bytes) -> None:
        brutos = [e if isinstance(e, bytes) else evento_mensagem(self.pista.catalogo, e)[1] for e in eventos]
        self.brutos += brutos
        lote = self.pista.passar(*eventos)  # each on its NUP's partition, as a producer would
        self.cartas += [self.pista.catalogo.decode("dead_letter", v) for _, v in lote.dlq]
        movimentos = self.pista.movimentos(lote)
        self.movimentos += movimentos
        for acao in acoes_do_lote(
            self.pista.snapshots(lote), movimentos, indice_processos="p", indice_movimentos="m"
        ):
            (self.documentos if acao.indice == "m" else self.processos)[acao.doc_id] = acao.documento
        for nup, processo in list(self.processos.items()):
            if not processo["publico"]:  # the indexer deletes a hidden processo's movimentos
                self.documentos = {k: d for k, d in self.documentos.items() if d["nup"] != nup}

    def conciliar(
        self,
        faixa: Faixa | None = None,
        *,
        inscricoes: dict[str, str] | None = None,
        enviadas: tuple[str, ...] = (),
        corte: int | None = None,
    ) -> Relatorio:
        """`corte`: how many raw messages were read before the cut (the rest come after it)."""
        conciliacao = Conciliacao(faixa or Faixa(), catalogo=self.pista.catalogo, restrito_publico=False)
        for bruto in self.brutos[:corte]:
            conciliacao.evento(bruto, escrito_em=T0)
        for carta in self.cartas:
            conciliacao.dead_letter(carta, escrito_em=T0)
        for movimento in self.movimentos:
            conciliacao.movimento(movimento)
        for chave, nup in (inscricoes or {}).items():
            conciliacao.inscricao(chave, nup)
        for mid in enviadas:
            conciliacao.enviada(mid, aceita=True)
        contagens: dict[tuple[str, date], int] = {}
        for doc_id, documento in self.documentos.items():
            conciliacao.documento(doc_id, documento)
            chave = (documento["orgao"], dia_de_brasilia(datetime.fromisoformat(documento["ocorrido_em"])))
            contagens[chave] = contagens.get(chave, 0) + 1
        for (orgao, dia), n in contagens.items():
            conciliacao.contagem_indice(orgao, dia, n)
        for nup, processo in self.processos.items():
            if processo["publico"]:
                conciliacao.processo_indexado(nup)
        for bruto in self.brutos[corte:] if corte is not None else ():
            conciliacao.alem_do_corte(bruto)
        return conciliacao.relatorio()


@pytest.fixture
def execucao(pista: PistaDeLotes) -> Execucao:
    """A public processo with a resend, a restricted one, and one hidden after being public."""
    run = Execucao(pista)
    publicos = [_evento(PUBLICO_NUP, n) for n in range(3)]
    restritos = [_evento(RESTRITO_NUP, n, nivel_acesso=NivelAcesso.RESTRITO) for n in range(2)]
    ocultado = [_evento(OCULTADO_NUP, n) for n in range(2)]
    run.passar(*publicos, *restritos, *ocultado, publicos[1])
    run.passar(_evento(OCULTADO_NUP, 2, nivel_acesso=NivelAcesso.SIGILOSO))
    return run


def test_a_faithful_run_has_no_mismatch_and_counts_every_stage(execucao: Execucao) -> None:
    relatorio = execucao.conciliar()

    assert relatorio.divergencias == []
    [linha] = relatorio.linhas
    assert (linha.orgao, linha.dia) == ("23000", DIA)
    assert (linha.recebidos, linha.duplicados) == (3 + 2 + 3 + 1, 1)
    assert linha.esperados == linha.indexados == 3  # only the public processo's distinct events
    assert linha.emitidos == 3 + 2  # the hidden processo's first two went out while it was public
    assert (relatorio.processos_esperados, relatorio.processos_indexados) == (1, 1)


def test_a_movimento_deleted_from_the_index_is_listed_with_its_nup(execucao: Execucao) -> None:
    del execucao.documentos[f"23000:{PUBLICO_NUP[-4:]}-1"]

    relatorio = execucao.conciliar()

    assert relatorio.divergencias == [
        Divergencia("23000", DIA, "FALTA_NO_INDICE", PUBLICO_NUP, f"23000:{PUBLICO_NUP[-4:]}-1")
    ]
    assert relatorio.linhas[0].indexados == 2


def test_a_movimento_the_index_never_got_and_one_with_no_event_are_listed(execucao: Execucao) -> None:
    estranho = {**execucao.movimentos[0], "id": "23000:forjado"}
    execucao.movimentos.append(estranho)
    execucao.documentos["23000:sem-movimento"] = {**execucao.documentos["23000:2165-0"]}

    tipos = {(d.tipo, d.nup, d.movimento) for d in execucao.conciliar().divergencias}

    assert tipos == {
        ("MOVIMENTO_SEM_EVENTO", PUBLICO_NUP, "23000:forjado"),
        ("EMITIDO_FORA_DO_INDICE", PUBLICO_NUP, "23000:forjado"),
        ("INDICE_SEM_MOVIMENTO", PUBLICO_NUP, "23000:sem-movimento"),
    }


def test_a_movimento_missing_from_the_topic_and_a_hidden_one_in_the_index_are_listed(
    execucao: Execucao,
) -> None:
    perdido = execucao.movimentos.pop(0)
    escondido = {**perdido, "id": "23000:escondido", "nup": RESTRITO_NUP}
    execucao.movimentos.append(escondido)
    execucao.documentos[escondido["id"]] = documento_movimento(escondido)

    tipos = {(d.tipo, d.nup) for d in execucao.conciliar().divergencias}

    assert tipos == {
        ("FALTA_NO_TOPICO", PUBLICO_NUP),
        ("INDICE_SEM_MOVIMENTO", PUBLICO_NUP),  # its document stays: it has no movimento any more
        ("MOVIMENTO_SEM_EVENTO", RESTRITO_NUP),
        ("INDICE_NAO_PUBLICO", RESTRITO_NUP),
    }


def test_a_public_processo_missing_from_the_processos_index_is_listed(execucao: Execucao) -> None:
    del execucao.processos[PUBLICO_NUP]

    [divergencia] = execucao.conciliar().divergencias

    assert (divergencia.tipo, divergencia.nup, divergencia.movimento) == (
        "PROCESSO_FALTA_NO_INDICE",
        PUBLICO_NUP,
        "",
    )


def test_rejections_are_counted_by_code_under_the_events_own_orgao_and_day(pista: PistaDeLotes) -> None:
    run = Execucao(pista)
    autuacao = _evento(PUBLICO_NUP, 0)
    run.passar(autuacao, replace(autuacao, assunto="outro assunto"), b"\xc3\x01 nada disso")

    relatorio = run.conciliar()

    por_orgao = {linha.orgao: linha for linha in relatorio.linhas}
    assert dict(por_orgao["23000"].rejeicoes) == {"CONFLITO": 1}
    assert (por_orgao["23000"].recebidos, por_orgao["23000"].duplicados) == (2, 0)
    assert dict(por_orgao[ILEGIVEL].rejeicoes) == {"ESQUEMA_DESCONHECIDO": 1}
    assert por_orgao[ILEGIVEL].recebidos == 1
    assert por_orgao["23000"].esperados == 1 and relatorio.divergencias == []


def test_a_day_is_the_brasilia_day_of_ocorrido_em_and_the_range_keeps_only_its_days(
    pista: PistaDeLotes,
) -> None:
    run = Execucao(pista)
    tarde_da_noite = datetime(2024, 3, 6, 2, 30, tzinfo=UTC)  # 23:30 of 5 March in Brasília
    run.passar(
        _evento(PUBLICO_NUP, 0, ocorrido_em=tarde_da_noite),
        _evento(PUBLICO_NUP, 1, ocorrido_em=tarde_da_noite + timedelta(hours=1)),
    )

    assert [(linha.dia, linha.recebidos) for linha in run.conciliar().linhas] == [
        (date(2024, 3, 5), 1),
        (date(2024, 3, 6), 1),
    ]
    so_o_dia_6 = run.conciliar(Faixa(desde=date(2024, 3, 6)))
    assert [(linha.dia, linha.esperados, linha.indexados) for linha in so_o_dia_6.linhas] == [
        (date(2024, 3, 6), 1, 1)
    ]
    assert so_o_dia_6.divergencias == []
    assert run.conciliar(Faixa(orgao="99999")).linhas == []


def test_emails_are_counted_on_their_movimentos_day_and_others_are_not_attributed(
    execucao: Execucao,
) -> None:
    mid = f"23000:{PUBLICO_NUP[-4:]}-2"
    enviadas = [message_id(mid, "chave-1", "protocolo.gov.br"), message_id("pedido", "chave-1", "x")]

    relatorio = execucao.conciliar(inscricoes={"chave-1": PUBLICO_NUP}, enviadas=(*enviadas, enviadas[0]))

    assert relatorio.linhas[0].emails == 1
    assert relatorio.emails_nao_atribuidos == 1


def test_what_the_pipeline_made_of_events_after_the_cut_is_left_out_not_listed(execucao: Execucao) -> None:
    corte = len(execucao.brutos)
    novo = "23037001465202107"
    execucao.passar(_evento(novo, 0), _evento(novo, 1))  # a new processo, after the cut
    execucao.passar(_evento(PUBLICO_NUP, 3, nivel_acesso=NivelAcesso.SIGILOSO))  # hides one after the cut
    execucao.passar(_evento(RESTRITO_NUP, 0, nivel_acesso=NivelAcesso.RESTRITO))  # a resend: changes nothing

    relatorio = execucao.conciliar(corte=corte)

    assert relatorio.divergencias == []
    assert relatorio.alem_do_corte == 4  # the new processo's two movimentos and their two documents
    assert relatorio.linhas[0].recebidos == corte
    # The hiding after the cut counts: the processo's earlier movimentos are no longer expected.
    assert relatorio.linhas[0].esperados == 0 and relatorio.processos_esperados == 0
