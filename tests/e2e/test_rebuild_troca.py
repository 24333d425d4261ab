"""`protocolo rebuild` switches a running stack to the new generation by itself.

A local stack (streams, indexer, notifier, alert sender as real processes, supervised as `protocolo
up` does) folds, indexes and mails the first generation; an órgão is renamed in the reference data;
the rebuild runs; then, without restarting anything by hand, every service is on generation 2, an
event published after the rebuild is indexed with the new name, no movimento is e-mailed twice
(Message-IDs counted in the SMTP sink) and none is missing, and a saved-search alert told each
matching processo once: those of generation 1 before the switch, the new one after it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch, helpers

from api.alertas_consulta import consulta_de_busca
from api.busca.params import validar_busca
from cli.stack import LocalStack
from cli.stack.process import ChildProcess
from notifier.messages import message_id
from protocolo.alertas.alerta import Alerta, chave_alerta
from protocolo.alertas.consulta import Frequencia
from protocolo.alertas.topico import mensagem_alerta
from protocolo.geracao import confirmacoes, ponteiro_de
from protocolo.geracao_topico import ler_geracoes
from protocolo.inscricoes import EstadoInscricao, Inscricao, chave_inscricao
from protocolo.inscricoes_topico import gravar_inscricoes
from protocolo.nup import Nup, parse_nup
from protocolo.referencia import Orgao
from protocolo.referencia_topico import publicar_referencia
from protocolo.search import make_search
from protocolo.settings import NotifierSettings, Settings
from protocolo.topico_compactado import gravar
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import CGGP, PROTOCOLO, evento, novo_nup, write_jsonl

pytestmark = pytest.mark.slow

NOVO_NOME = "Ministério Renomeado na Troca"
ORGAO = "26000"  # the órgão of tests.fixtures.pipeline.evento
SERVICOS = ("streams", "indexer", "notifier", "notifier.alertas")
RELATOS = ("streams", "indexer", "notifier", "alertas")  # the names the services report under
T0 = datetime(2024, 5, 1, tzinfo=UTC)
ANTIGO = Orgao(codigo=ORGAO, sigla="MGI", nome="Ministério da Gestão, nome antigo", unidades=())


class Supervisor:
    """`protocolo up`'s loop in a thread: restarts services that exit to switch generation."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.mortos: list[ChildProcess] = []
        self._parar = threading.Event()
        self._thread = threading.Thread(target=self._vigiar, name="supervisor", daemon=True)

    def _vigiar(self) -> None:
        while not self._parar.wait(0.5):
            morto = self.stack.supervisionar()
            if morto is not None:
                self.mortos.append(morto)
                self.stack.processes.remove(morto)

    def __enter__(self) -> Supervisor:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._parar.set()
        self._thread.join(120)


@pytest.fixture
def pilha(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, LocalStack]]:
    settings = settings_factory(notifier=NotifierSettings(emails_por_s=500, espera_inicial_s=0.1))
    stack = LocalStack(settings, servicos=SERVICOS)
    yield settings, stack
    stack.parar()


def _movimentos_de(nup: Nup, de: int, ate: int) -> list[dict[str, Any]]:
    eventos = []
    for n in range(de, ate + 1):
        if n == 1:
            eventos.append(evento(nup, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Troca de geração"))
        else:
            eventos.append(evento(nup, n, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP))
    return eventos


def _publicar(settings: Settings, arquivo: Path, eventos: list[dict[str, Any]]) -> None:
    resultado = run_cli(settings, "publish", str(write_jsonl(arquivo, list(eventos))))
    assert resultado.returncode == 0, resultado.stderr


def _inscrever(settings: Settings, nups: list[Nup], email: str) -> None:
    segredo = settings.secret_key.get_secret_value().encode()
    gravar_inscricoes(
        settings.kafka,
        [
            Inscricao(
                chave_inscricao(segredo, nup.digitos, email),
                nup.digitos,
                email,
                EstadoInscricao.CONFIRMADA,
                T0,
                atualizada_em=T0,
            )
            for nup in nups
        ],
    )


def _alertar(settings: Settings, email: str) -> None:
    """A confirmed alert on the processos' assunto, written as the API writes one."""
    consulta = consulta_de_busca(validar_busca(q="troca"), segredo=settings.chaveiro.atual)
    alerta = Alerta(
        chave=chave_alerta(settings.chaveiro.atual, consulta, email),
        email=email,
        consulta=consulta,
        descricao="“troca”",
        frequencia=Frequencia.IMEDIATO,
        movimentos=False,
        estado=EstadoInscricao.CONFIRMADA,
        criada_em=T0,
        solicitada_em=T0,
        atualizada_em=T0,
    )
    gravar(settings.kafka, settings.kafka.topics.alertas, [mensagem_alerta(alerta)])


def _avisos(pasta: Path, email: str) -> Counter[str]:
    """Subject -> how many alert e-mails `email` got with it."""
    parser = BytesHeaderParser()
    contagem: Counter[str] = Counter()
    for arquivo in pasta.glob("*.eml"):
        cabecalhos = parser.parsebytes(arquivo.read_bytes())
        if cabecalhos["To"] == email:
            contagem[str(cabecalhos["Subject"])] += 1
    return contagem


def _message_ids(pasta: Path, email: str) -> Counter[str]:
    parser = BytesHeaderParser()
    contagem: Counter[str] = Counter()
    for arquivo in pasta.glob("*.eml"):
        cabecalhos = parser.parsebytes(arquivo.read_bytes())
        if cabecalhos["To"] == email:
            contagem[str(cabecalhos["Message-ID"])] += 1
    return contagem


def _documentos(es: Elasticsearch, alias: str) -> list[dict[str, Any]]:
    return [d["_source"] for d in helpers.scan(es, index=alias, query={"query": {"match_all": {}}})]


def test_a_rebuild_switches_the_running_services_with_nothing_lost_or_mailed_twice(
    pilha: tuple[Settings, LocalStack], mail_dir: Path, tmp_path: Path
) -> None:
    settings, stack = pilha
    segredo = settings.secret_key.get_secret_value().encode()
    dominio = settings.smtp.remetente.rsplit("@", 1)[-1].rstrip(">")
    email = f"troca-{novo_nup().digitos}@example.com"
    nups = [novo_nup() for _ in range(4)]
    nova = novo_nup()  # a processo that first appears after the rebuild
    _inscrever(settings, [*nups, nova], email)
    leitor = f"alerta-{nova.digitos}@example.com"
    _alertar(settings, leitor)

    def avisos(processos: list[Nup]) -> Counter[str]:
        return Counter(f"Novo processo na sua busca: {n.formatado}" for n in processos)

    publicar_referencia(settings.kafka, [ANTIGO])  # the sample reference data lacks this órgão
    antes = [e for nup in nups for e in _movimentos_de(nup, 1, 3)]
    depois = [*_movimentos_de(nups[0], 4, 4), *_movimentos_de(nova, 1, 2)]

    def esperados(eventos: list[dict[str, Any]]) -> set[str]:
        chaves = {e["nup"]: chave_inscricao(segredo, parse_nup(e["nup"]).digitos, email) for e in eventos}
        return {message_id(f"{ORGAO}:{e['id']}", chaves[e["nup"]], dominio) for e in eventos}

    es = make_search(settings.search)
    alias_p, alias_m = settings.search.alias("processos"), settings.search.alias("movimentos")
    stack.iniciar_servicos()
    pids = {nome: stack.process(nome).pid for nome in SERVICOS}
    with Supervisor(stack) as supervisor:
        _publicar(settings, tmp_path / "antes.jsonl", antes)
        eventually(
            lambda: esperados(antes) <= set(_message_ids(mail_dir, email)),
            timeout=180,
            what="generation 1 mailed every movimento",
        )
        eventually(
            lambda: _avisos(mail_dir, leitor) == avisos(nups), timeout=60, what="generation 1's alerts"
        )
        eventually(
            lambda: len(_documentos(es, alias_p)) == len(nups), timeout=60, what="generation 1 indexed"
        )
        assert {d["orgao_nome"] for d in _documentos(es, alias_p)} == {ANTIGO.nome}
        publicar_referencia(settings.kafka, [replace(ANTIGO, nome=NOVO_NOME)])

        resultado = run_cli(settings, "rebuild", "--prazo-troca", "240", timeout=900)
        assert resultado.returncode == 0, resultado.stdout + resultado.stderr
        for nome in RELATOS:
            assert f"{nome}: na geração 2" in resultado.stdout, resultado.stdout

        tabela = ler_geracoes(settings.kafka)
        ponteiro = ponteiro_de(tabela)
        assert ponteiro is not None and ponteiro.geracao == 2
        assert ponteiro.topicos["processos"] == f"{settings.kafka.topics.processos}.v2"
        relatos = confirmacoes(tabela)
        assert {r.servico for r in relatos if r.geracao == 2} == set(RELATOS)
        assert [r for r in relatos if r.geracao == 1] == []  # each old instance withdrew its report
        # Every exit was a switch, restarted by the supervisor.
        assert [(m.nome, m.popen.returncode) for m in supervisor.mortos] == []
        assert all(stack.process(nome).pid != pid for nome, pid in pids.items())  # nobody by hand

        _publicar(settings, tmp_path / "depois.jsonl", depois)
        todos = esperados(antes + depois)
        eventually(
            lambda: todos <= set(_message_ids(mail_dir, email)),
            timeout=180,
            what="generation 2 mailed the movimentos published after the rebuild",
        )

        def indexado() -> list[dict[str, Any]] | None:
            docs = _documentos(es, alias_p)
            return docs if {d["nup"] for d in docs} == {n.digitos for n in [*nups, nova]} else None

        processos = eventually(indexado, timeout=120, what="the new processo indexed")
        # The alert sender of generation 2 tells the new processo, and none of generation 1 again.
        eventually(
            lambda: _avisos(mail_dir, leitor)[f"Novo processo na sua busca: {nova.formatado}"] >= 1,
            timeout=60,
            what="the alert on the processo that appeared after the rebuild",
        )
        assert supervisor.mortos == []
    assert _avisos(mail_dir, leitor) == avisos([*nups, nova])

    assert {d["orgao_nome"] for d in processos} == {NOVO_NOME}  # old events and the new one alike
    do_novo = [d for d in processos if d["nup"] == nova.digitos]
    assert do_novo and do_novo[0]["orgao_nome"] == NOVO_NOME
    movimentos = _documentos(es, alias_m)
    assert sorted(m["id"] for m in movimentos) == sorted(f"{ORGAO}:{e['id']}" for e in antes + depois)
    assert {m["orgao_nome"] for m in movimentos} == {NOVO_NOME}
    enviados = _message_ids(mail_dir, email)
    assert set(enviados) == todos  # none missing, none foreign
    assert [mid for mid, n in enviados.items() if n > 1] == []  # none mailed twice
