"""GET /api/v1/processos and /api/v1/estatisticas against the real local search server.

A small corpus of processos is folded from hand-made events, projected as the streams project
them, sent through the Avro codec and the indexer's own bulk code, then searched through the
FastAPI app in-process. Expected answers are computed from the same records (an oracle), never
from the search server.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.documents import acoes_do_lote
from indexer.sink import aplicar, garantir_indices
from protocolo.avro import catalogo_padrao
from protocolo.fold import fold_processo, ordenar_eventos
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import Nup, gerar_nup
from protocolo.referencia import carregar_referencia
from protocolo.search import make_search
from protocolo.settings import Settings
from streams.projection import eh_publico, movimento_record, snapshot_record

BRASILIA = ZoneInfo("America/Sao_Paulo")
CPF_JOSE = "52998224725"
CPF_JOSE_PONTUADO = "529.982.247-25"
CNPJ_ACME = "11222333000181"
PROT = Unidade("2300001", "GM", "Gabinete do Ministro")
CGGP = Unidade("2300002", "SE", "Secretaria-Executiva")
INSS = Unidade("3501401", "PRES", "Presidência")


def _quando(texto: str) -> datetime:
    """A Brasília wall-clock time 'AAAA-MM-DD HH:MM' (the offset it had then, DST included)."""
    return datetime.strptime(texto, "%Y-%m-%d %H:%M").replace(tzinfo=BRASILIA)


class Corpus:
    """Hand-made processos: each one a list of events, folded like the streams fold them."""

    def __init__(self) -> None:
        self.eventos: dict[str, list[Evento]] = {}
        self._seq = 0

    def nup(self, ano: int) -> Nup:
        self._seq += 1
        return gerar_nup(unidade=23037, sequencial=self._seq, ano=ano)

    def processo(
        self,
        nup: Nup,
        orgao: str,
        autuado: str,
        assunto: str,
        *movimentos: tuple[str, Operacao, str],
        tipo: TipoProtocolo = TipoProtocolo.PROCESSO,
        nivel: NivelAcesso = NivelAcesso.PUBLICO,
        interessados: tuple[Interessado, ...] = (),
        observacao: str | None = None,
    ) -> str:
        """Autuação plus (orgao, operação, when) movements; returns the NUP digits."""
        base = {"nup": nup.digitos, "tipo": tipo, "nivel_acesso": nivel}
        eventos = [
            Evento(
                id=f"{nup.digitos}-0",
                orgao=orgao,
                operacao=Operacao.AUTUACAO,
                ocorrido_em=_quando(autuado),
                unidade_origem=PROT,
                especie="Requerimento",
                assunto=assunto,
                interessados=interessados,
                **base,
            )
        ]
        for n, (quem, operacao, quando) in enumerate(movimentos, start=1):
            eventos.append(
                Evento(
                    id=f"{nup.digitos}-{n}",
                    orgao=quem,
                    operacao=operacao,
                    ocorrido_em=_quando(quando),
                    unidade_origem=PROT,
                    unidade_destino=CGGP if operacao in (Operacao.ENVIO, Operacao.RECEBIMENTO) else None,
                    observacao=observacao if n == 1 else None,
                    **base,
                )
            )
        self.eventos[nup.digitos] = eventos
        return nup.digitos


@dataclass
class Indexado:
    """The corpus as indexed, and what the API must answer about it."""

    nups: dict[str, str]
    snapshots: dict[str, dict[str, Any]]
    movimentos: list[dict[str, Any]]
    certidoes: list[str]

    def publicos(self) -> list[dict[str, Any]]:
        return [s for s in self.snapshots.values() if s["publico"]]


def _montar_corpus() -> tuple[Corpus, dict[str, str], list[str]]:
    c = Corpus()
    env, rec, arq = Operacao.ENVIO, Operacao.RECEBIMENTO, Operacao.ARQUIVAMENTO
    n: dict[str, str] = {}
    n["invalidez"] = c.processo(
        c.nup(2011),
        "23000",
        "2011-01-05 10:00",
        "Pedido de aposentadoria por invalidez",
        ("23000", env, "2011-03-10 09:00"),
        interessados=(Interessado("José da Conceição", CPF_JOSE),),
    )
    n["pensao"] = c.processo(
        c.nup(2012),
        "25000",
        "2012-05-05 10:00",
        "Pensão por morte do servidor",
        ("25000", arq, "2013-01-15 16:00"),
        interessados=(Interessado("Maria Souza"),),
    )
    # Autuado on 31/12/2011 at 23:30 in Brasília: already 2012 in UTC. Then sent to another órgão.
    n["limpeza"] = c.processo(
        c.nup(2011),
        "35014",
        "2011-12-31 23:30",
        "Licitação de serviços de limpeza",
        ("35014", env, "2012-02-01 10:00"),
        ("23000", rec, "2012-02-03 10:00"),
        interessados=(Interessado("ACME Ltda", CNPJ_ACME),),
    )
    n["pensar"] = c.processo(
        c.nup(2020),
        "23000",
        "2020-06-01 10:00",
        "Pensar a educação: seminário",
        ("23000", Operacao.CONCLUSAO, "2020-07-01 10:00"),
        tipo=TipoProtocolo.DOCUMENTO,
    )
    n["especial"] = c.processo(
        c.nup(2021),
        "23000",
        "2021-02-01 10:00",
        "Aposentadoria especial de professor",
        ("23000", Operacao.SOBRESTAMENTO, "2021-03-01 10:00"),
        observacao="Pedido de vista pela procuradoria",
    )
    n["obras"] = c.processo(
        c.nup(2022), "23000", "2022-04-04 10:00", "Obras <b>urgentes</b> & reparos no prédio"
    )
    n["sigiloso"] = c.processo(
        c.nup(2011),
        "23000",
        "2011-01-06 10:00",
        "Aposentadoria sigilosa por invalidez",
        nivel=NivelAcesso.SIGILOSO,
        interessados=(Interessado("José da Conceição", CPF_JOSE),),
    )
    n["restrito"] = c.processo(
        c.nup(2011),
        "23000",
        "2011-01-07 10:00",
        "Aposentadoria restrita por invalidez",
        nivel=NivelAcesso.RESTRITO,
    )
    # Public once, then made sigiloso: the tombstone replaces it.
    tornado = c.nup(2011)
    n["tornado_sigiloso"] = c.processo(
        tornado, "23000", "2011-01-08 10:00", "Aposentadoria tornada sigilosa por invalidez"
    )
    c.eventos[tornado.digitos].append(
        Evento(
            id=f"{tornado.digitos}-9",
            orgao="23000",
            nup=tornado.digitos,
            tipo=TipoProtocolo.PROCESSO,
            operacao=Operacao.ALTERACAO_NIVEL_ACESSO,
            ocorrido_em=_quando("2011-02-01 10:00"),
            nivel_acesso=NivelAcesso.SIGILOSO,
        )
    )
    # Many alike, for paging: pairs share their last movement's instant (the NUP breaks the tie).
    certidoes = []
    for i in range(23):
        dia = datetime(2019, 3, 1, 10, 0) + timedelta(days=i // 2)
        certidoes.append(
            c.processo(
                c.nup(2019),
                "12100",
                dia.strftime("%Y-%m-%d %H:%M"),
                "Requerimento de certidão negativa de débitos",
            )
        )
    return c, n, certidoes


def _avro(catalogo: Any, nome: str, registro: dict[str, Any]) -> dict[str, Any]:
    # What the indexer gets: the record after the Avro trip (instants come back in UTC).
    return catalogo.decode(nome, catalogo.encode(nome, registro))


@pytest.fixture(scope="module")
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    return settings_factory()


@pytest.fixture(scope="module")
def indexado(settings: Settings) -> Indexado:
    corpus, nups, certidoes = _montar_corpus()
    referencia = carregar_referencia()
    catalogo = catalogo_padrao()
    segredo = settings.secret_key.get_secret_value().encode()
    snapshots: dict[str, dict[str, Any]] = {}
    movimentos: list[dict[str, Any]] = []
    for nup, eventos in corpus.eventos.items():
        processo = fold_processo(eventos)
        registro = snapshot_record(processo, referencia, segredo=segredo, restrito_publico=False)
        snapshots[nup] = _avro(catalogo, "processo", registro)
        if eh_publico(processo.nivel_acesso, restrito_publico=False):
            movimentos += [
                _avro(catalogo, "movimento", movimento_record(e, processo, referencia))
                for e in ordenar_eventos(eventos)
            ]
    es = make_search(settings.search)
    try:
        garantir_indices(es, settings.search)
        acoes = acoes_do_lote(
            list(snapshots.values()),
            movimentos,
            indice_processos=settings.search.alias("processos"),
            indice_movimentos=settings.search.alias("movimentos"),
        )
        assert aplicar(es, acoes) == []
        # Elasticsearch needs a refresh before documents are searchable (the local server does not).
        es.indices.refresh(index=[settings.search.alias("processos"), settings.search.alias("movimentos")])
    finally:
        es.close()
    return Indexado(nups, snapshots, movimentos, certidoes)


@pytest.fixture(scope="module")
def api(settings: Settings, indexado: Indexado) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def buscar(api: TestClient, **params: Any) -> dict[str, Any]:
    resposta = api.get("/api/v1/processos", params=params)
    assert resposta.status_code == 200, resposta.text
    corpo: dict[str, Any] = resposta.json()
    return corpo


def nups_de(corpo: dict[str, Any]) -> list[str]:
    return [item["nup"] for item in corpo["items"]]


def achados(api: TestClient, **params: Any) -> set[str]:
    corpo = buscar(api, tamanho=100, **params)
    assert corpo["total"] == len(corpo["items"])
    return set(nups_de(corpo))


# --- Consulta Simples ---


def test_every_word_must_match_accents_and_case_ignored(api: TestClient, indexado: Indexado) -> None:
    n = indexado.nups
    assert achados(api, q="APOSENTADORIA invalidez") == {n["invalidez"]}
    assert achados(api, q="pensao MORTE") == {n["pensao"]}
    assert achados(api, q="licitacao") == {n["limpeza"]}
    assert achados(api, q="jose conceicao") == {n["invalidez"]}


def test_ou_makes_alternatives_and_binds_tighter_than_and(api: TestClient, indexado: Indexado) -> None:
    n = indexado.nups
    assert achados(api, q="invalidez OU limpeza") == {n["invalidez"], n["limpeza"]}
    assert achados(api, q="aposentadoria OU pensão invalidez") == {n["invalidez"]}
    # "pensar" is one typo away from "pensão": tolerated, as for any word.
    todos = {n["invalidez"], n["especial"], n["pensao"], n["pensar"]}
    assert achados(api, q="aposentadoria OU pensão") == todos


def test_a_quoted_phrase_matches_those_words_in_that_order(api: TestClient, indexado: Indexado) -> None:
    assert achados(api, q='"por morte"') == {indexado.nups["pensao"]}
    assert achados(api, q='"morte por"') == set()


def test_small_typos_are_tolerated(api: TestClient, indexado: Indexado) -> None:
    n = indexado.nups
    assert achados(api, q="aposentadorai") == {n["invalidez"], n["especial"]}
    assert achados(api, q="licitassao") == {n["limpeza"]}


def test_an_exact_match_ranks_above_a_near_miss(api: TestClient, indexado: Indexado) -> None:
    n = indexado.nups
    ordem = nups_de(buscar(api, q="pensao"))
    assert ordem[0] == n["pensao"]
    assert n["pensar"] in ordem  # "pensar" is one edit away
    assert nups_de(buscar(api, q="pensar"))[0] == n["pensar"]


@pytest.mark.parametrize(
    ("q", "chaves"),
    [
        ("2011", {"invalidez", "limpeza"}),
        ("12/2011", {"limpeza"}),  # 31/12 23:30 in Brasília; a UTC reading would say January 2012
        ("01/2013", {"pensao"}),
        ("05/01/2011", {"invalidez"}),
        ("2011-03-10", {"invalidez"}),
        ("2011 aposentadoria", {"invalidez"}),
        ("2011 OU 2013", {"invalidez", "limpeza", "pensao"}),
    ],
)
def test_a_partial_date_finds_processos_that_moved_in_that_period(
    api: TestClient, indexado: Indexado, q: str, chaves: set[str]
) -> None:
    assert achados(api, q=q) == {indexado.nups[c] for c in chaves}


def test_a_nup_in_any_format_finds_its_processo(api: TestClient, indexado: Indexado) -> None:
    digitos = indexado.nups["pensao"]
    formatado = indexado.snapshots[digitos]["nup"]
    for q in (digitos, f"{digitos[:5]}.{digitos[5:11]}/{digitos[11:15]}-{digitos[15:]}", f"  {formatado} "):
        assert achados(api, q=q) == {digitos}


def test_a_nup_with_wrong_check_digits_finds_nothing_and_says_why(
    api: TestClient, indexado: Indexado
) -> None:
    digitos = indexado.nups["pensao"]
    errado = f"{digitos[:5]}.{digitos[5:11]}/{digitos[11:15]}-{(int(digitos[15:]) + 1) % 100:02d}"
    corpo = buscar(api, q=errado)
    assert corpo["total"] == 0
    assert "dígitos verificadores incorretos" in corpo["avisos"][0]


def test_a_cpf_typed_in_q_finds_its_processo_and_is_never_echoed(api: TestClient, indexado: Indexado) -> None:
    for q in (CPF_JOSE, CPF_JOSE_PONTUADO):
        resposta = api.get("/api/v1/processos", params={"q": q})
        assert resposta.status_code == 200
        assert {i["nup"] for i in resposta.json()["items"]} == {indexado.nups["invalidez"]}
        assert CPF_JOSE not in resposta.text and CPF_JOSE_PONTUADO not in resposta.text
        assert CPF_JOSE[3:9] not in re.sub(r"\D", "", resposta.text.replace(indexado.nups["invalidez"], ""))


def test_user_text_is_never_query_syntax(api: TestClient, indexado: Indexado) -> None:
    # Symbols alone are no text at all: every public processo, as with an empty q.
    todos = {s["nup"] for s in indexado.publicos()}
    for q in ('"*~:()[]{}\\/', "\\", "{}"):
        assert achados(api, q=q) == todos, q
    # Around words, query syntax is plain text: each word is required and no corpus processo has them all.
    for q in ("title:x OR y*", "a AND (b", "[1 TO 2]", 'x~2 "y'):
        assert achados(api, q=q) == set(), q


# --- Consulta Avançada (filters) ---


def test_the_filters_select_exactly_what_they_name(api: TestClient, indexado: Indexado) -> None:
    n = indexado.nups
    pensao_formatado = indexado.snapshots[n["pensao"]]["nup"]
    assert achados(api, nup=pensao_formatado) == {n["pensao"]}
    assert achados(api, interessado="maria SOUZA") == {n["pensao"]}
    assert achados(api, interessado="Jose Conceiçao") == {n["invalidez"]}
    assert achados(api, documento=CPF_JOSE_PONTUADO) == {n["invalidez"]}
    assert achados(api, documento="11.222.333/0001-81") == {n["limpeza"]}
    assert achados(api, assunto="aposentadoria") == {n["invalidez"], n["especial"]}
    assert achados(api, tipo="documento") == {n["pensar"]}
    assert achados(api, situacao="ARQUIVADO") == {n["pensao"]}
    assert achados(api, situacao="SOBRESTADO", q="vista") == {n["especial"]}  # observação is searchable
    assert achados(api, ano=2011) == {n["invalidez"], n["limpeza"]}


def test_orgao_matches_the_autuating_or_the_current_one(api: TestClient, indexado: Indexado) -> None:
    n = indexado.nups
    assert achados(api, orgao="35014") == {n["limpeza"]}
    esperado = {s["nup"] for s in indexado.publicos() if "23000" in (s["orgao"], s["orgao_atual"])}
    assert n["limpeza"] in esperado
    assert achados(api, orgao="23000") == esperado


@pytest.mark.parametrize(
    ("params", "chaves"),
    [
        ({"desde": "01/01/2012", "ate": "2012-12-31"}, {"pensao", "limpeza"}),  # movements in 2012
        ({"desde": "2011-01-01", "ate": "31/12/2011", "campo_data": "autuacao"}, {"invalidez", "limpeza"}),
        ({"desde": "2013-01-01", "campo_data": "atualizacao", "ate": "2013-12-31"}, {"pensao"}),
        ({"ate": "2011-12-31", "campo_data": "autuacao"}, {"invalidez", "limpeza"}),
        ({"desde": "15/01/2013", "ate": "15/01/2013"}, {"pensao"}),
    ],
)
def test_desde_and_ate_bound_the_chosen_date(
    api: TestClient, indexado: Indexado, params: dict[str, str], chaves: set[str]
) -> None:
    assert achados(api, **params) == {indexado.nups[c] for c in chaves}


def test_a_non_public_processo_is_never_returned(api: TestClient, indexado: Indexado) -> None:
    n = indexado.nups
    privados = {n["sigiloso"], n["restrito"], n["tornado_sigiloso"]}
    assert all(not indexado.snapshots[p]["publico"] for p in privados)
    assert achados(api, q="aposentadoria invalidez") == {n["invalidez"]}
    assert achados(api, q="sigilosa OU restrita OU tornada") == set()
    for p in privados:
        assert achados(api, q=p) == set()
        assert achados(api, nup=p) == set()
    assert achados(api, documento=CPF_JOSE) == {n["invalidez"]}
    assert buscar(api)["total"] == len(indexado.publicos())


# --- Highlights and facets ---


def test_highlights_mark_the_match_and_escape_everything_else(api: TestClient, indexado: Indexado) -> None:
    (item,) = buscar(api, q="aposentadoria invalidez")["items"]
    assert any("<mark>" in f and "aposentadoria" in f.lower() for f in item["destaques"]["assunto"])
    (obras,) = buscar(api, q="urgentes")["items"]
    (fragmento,) = obras["destaques"]["assunto"]
    assert "<b>" not in fragmento and "&lt;b&gt;" in fragmento and "&amp;" in fragmento
    assert "<mark>urgentes</mark>" in fragmento
    (pessoa,) = buscar(api, q="conceicao")["items"]
    assert pessoa["destaques"]["interessados"] == ["José da <mark>Conceição</mark>"]


def test_facets_count_the_results_by_orgao_situacao_ano_and_tipo(api: TestClient, indexado: Indexado) -> None:
    publicos = indexado.publicos()
    facetas = buscar(api, tamanho=1)["facetas"]

    def contagem(nome: str) -> dict[str, int]:
        return {f["valor"]: f["quantidade"] for f in facetas[nome]}

    assert contagem("orgao") == Counter(o for s in publicos for o in {s["orgao"], s["orgao_atual"]})
    assert contagem("situacao") == Counter(s["situacao"] for s in publicos)
    assert contagem("tipo") == Counter(s["tipo"] for s in publicos)
    assert contagem("ano") == Counter(str(s["autuado_em"].astimezone(BRASILIA).year) for s in publicos)
    assert [f["valor"] for f in facetas["ano"]] == sorted(contagem("ano"), reverse=True)
    nomes = {f["valor"]: f["rotulo"] for f in facetas["orgao"]}
    assert nomes["35014"] == "Instituto Nacional do Seguro Social"
    assert nomes["23000"] == "Ministério da Educação"
    assert {f["valor"]: f["rotulo"] for f in facetas["situacao"]}["ARQUIVADO"] == "Arquivado"


def test_facets_are_left_out_on_request(api: TestClient) -> None:
    corpo = buscar(api, q="certidao", facetas="false", tamanho=5)
    assert corpo["facetas"] == {"orgao": [], "situacao": [], "ano": [], "tipo": []}
    assert corpo["total"] == 23 and corpo["proximo_cursor"]


def test_a_facet_count_is_what_its_filter_returns(api: TestClient) -> None:
    facetas = buscar(api, q="aposentadoria OU pensão OU certidão")["facetas"]
    for nome, param in (("orgao", "orgao"), ("situacao", "situacao"), ("tipo", "tipo"), ("ano", "ano")):
        for faceta in facetas[nome]:
            filtrado = buscar(
                api, q="aposentadoria OU pensão OU certidão", **{param: faceta["valor"]}, tamanho=1
            )
            assert filtrado["total"] == faceta["quantidade"], (nome, faceta)


# --- Cursor pagination ---


def _percorrer(api: TestClient, **params: Any) -> list[str]:
    vistos: list[str] = []
    corpo = buscar(api, **params)
    total = corpo["total"]
    while True:
        vistos += nups_de(corpo)
        if corpo["proximo_cursor"] is None:
            break
        corpo = buscar(api, **params, cursor=corpo["proximo_cursor"])
        assert corpo["total"] == total
    return vistos


@pytest.mark.parametrize("ordem", ["recentes", "antigos", "relevancia"])
def test_cursor_pages_walk_every_result_once_in_a_stable_order(
    api: TestClient, indexado: Indexado, ordem: str
) -> None:
    vistos = _percorrer(api, orgao="12100", ordem=ordem, tamanho=5)
    certidoes = [indexado.snapshots[c] for c in indexado.certidoes]
    decrescente = ordem != "antigos"
    esperado = sorted(certidoes, key=lambda s: s["nup"])
    esperado = sorted(esperado, key=lambda s: s["atualizado_em"], reverse=decrescente)
    assert vistos == [s["nup"] for s in esperado]
    assert len(set(vistos)) == len(vistos) == 23


def test_cursor_pages_by_relevance_walk_every_result_once(api: TestClient, indexado: Indexado) -> None:
    vistos = _percorrer(api, q="certidao OU aposentadoria", tamanho=4)
    assert len(vistos) == len(set(vistos)) == 23 + 2
    assert set(indexado.certidoes) <= set(vistos)
    assert vistos == nups_de(buscar(api, q="certidao OU aposentadoria", tamanho=100))


def test_a_cursor_from_another_query_or_tampered_with_is_refused(api: TestClient) -> None:
    cursor = buscar(api, orgao="12100", tamanho=5)["proximo_cursor"]
    assert cursor
    outra = api.get("/api/v1/processos", params={"orgao": "12100", "ordem": "antigos", "cursor": cursor})
    assert outra.status_code == 422
    assert "outra consulta" in outra.json()["detail"]
    adulterado = cursor[:-3] + ("AAA" if cursor[-3:] != "AAA" else "BBB")
    resposta = api.get("/api/v1/processos", params={"orgao": "12100", "cursor": adulterado})
    assert resposta.status_code == 422
    assert resposta.json()["detail"].startswith("cursor: ")
    lixo = api.get("/api/v1/processos", params={"orgao": "12100", "cursor": "não é um cursor"})
    assert lixo.status_code == 422


# --- Bad parameters ---


@pytest.mark.parametrize(
    ("params", "mensagem"),
    [
        ({"tamanho": "0"}, "tamanho: valor pequeno demais"),
        ({"tamanho": "101"}, "tamanho: valor grande demais"),
        ({"desde": "31/02/2024"}, "desde: data inválida"),
        ({"ate": "ontem"}, "ate: data inválida"),
        ({"desde": "2024-02-01", "ate": "2024-01-01"}, "desde: deve ser anterior ou igual a ate"),
        ({"ordem": "alfabetica"}, "ordem: use relevancia, recentes ou antigos"),
        ({"campo_data": "hoje"}, "campo_data: use movimentacao, autuacao ou atualizacao"),
        ({"tipo": "pasta"}, "tipo: use PROCESSO ou DOCUMENTO"),
        ({"situacao": "perdido"}, "situacao: use EM_TRAMITACAO"),
        ({"nup": "123"}, "nup: o NUP deve ter 17 dígitos"),
        ({"orgao": "26 000"}, "orgao: informe o código do órgão"),
        ({"documento": "123"}, "documento: informe um CPF (11 dígitos) ou um CNPJ (14 dígitos)"),
        ({"ano": "1800"}, "ano: valor pequeno demais"),
        ({"cursor": "x", "inicio": "20"}, "cursor: use o cursor ou inicio, não os dois"),
    ],
)
def test_a_bad_parameter_is_a_422_in_portuguese(
    api: TestClient, params: dict[str, str], mensagem: str
) -> None:
    resposta = api.get("/api/v1/processos", params=params)
    assert resposta.status_code == 422
    assert mensagem in resposta.json()["detail"]


def test_a_bad_documento_is_refused_without_repeating_it(api: TestClient) -> None:
    resposta = api.get("/api/v1/processos", params={"documento": "529.982.247-26", "desde": "x"})
    assert resposta.status_code == 422
    detalhe = resposta.json()["detail"]
    assert "documento: CPF com dígitos verificadores incorretos" in detalhe
    assert "desde: data inválida" in detalhe
    assert "529" not in resposta.text and "247" not in resposta.text


# --- Estatísticas ---


def _mes(instante: datetime) -> str:
    return instante.astimezone(BRASILIA).strftime("%Y-%m")


def _oracle(
    indexado: Indexado, orgao: str | None = None, desde: str | None = None, ate: str | None = None
) -> dict[str, Any]:
    inicio = datetime.fromisoformat(desde).replace(tzinfo=BRASILIA) if desde else None
    fim = datetime.fromisoformat(ate).replace(tzinfo=BRASILIA) + timedelta(days=1) if ate else None

    def no_periodo(instante: datetime) -> bool:
        return (inicio is None or instante >= inicio) and (fim is None or instante < fim)

    movimentos = [
        m for m in indexado.movimentos if no_periodo(m["ocorrido_em"]) and orgao in (None, m["orgao"])
    ]
    # The truth is the movements' instants; the index keeps only their Brasília days, which must agree.
    movimentados = {m["nup"] for m in indexado.movimentos if no_periodo(m["ocorrido_em"])}
    processos = [
        s
        for s in indexado.publicos()
        if orgao in (None, s["orgao"], s["orgao_atual"]) and s["nup"] in movimentados
    ]
    return {
        "total_movimentos": len(movimentos),
        "total_processos": len(processos),
        "por_orgao": Counter(m["orgao"] for m in movimentos),
        "por_operacao": Counter(m["operacao"] for m in movimentos),
        "por_mes": Counter(_mes(m["ocorrido_em"]) for m in movimentos),
        "por_situacao": Counter(s["situacao"] for s in processos),
    }


def _contagens(corpo: dict[str, Any]) -> dict[str, Any]:
    return {
        "total_movimentos": corpo["total_movimentos"],
        "total_processos": corpo["total_processos"],
        **{
            k: {c["codigo"]: c["quantidade"] for c in corpo[k]}
            for k in ("por_orgao", "por_operacao", "por_mes", "por_situacao")
        },
    }


@pytest.mark.parametrize(
    "filtros",
    [
        {},
        {"orgao": "23000"},
        {"desde": "2011-01-01", "ate": "2011-12-31"},
        {"desde": "2012-01-01", "orgao": "35014"},
    ],
)
def test_estatisticas_json_match_the_indexed_data(
    api: TestClient, indexado: Indexado, filtros: dict[str, str]
) -> None:
    resposta = api.get("/api/v1/estatisticas", params=filtros)
    assert resposta.status_code == 200, resposta.text
    corpo = resposta.json()
    assert _contagens(corpo) == _oracle(indexado, **filtros)
    assert [c["codigo"] for c in corpo["por_mes"]] == sorted(c["codigo"] for c in corpo["por_mes"])


def test_estatisticas_name_orgaos_operacoes_and_months(api: TestClient) -> None:
    corpo = api.get("/api/v1/estatisticas").json()
    assert {c["codigo"]: c["descricao"] for c in corpo["por_orgao"]}[
        "35014"
    ] == "Instituto Nacional do Seguro Social"
    assert {c["codigo"]: c["descricao"] for c in corpo["por_operacao"]}["ARQUIVAMENTO"] == "Arquivamento"
    assert {c["codigo"]: c["descricao"] for c in corpo["por_mes"]}["2011-12"] == "dezembro de 2011"


@pytest.mark.parametrize(("params", "cabecalhos"), [({"formato": "csv"}, {}), ({}, {"Accept": "text/csv"})])
def test_estatisticas_csv_has_the_same_numbers_with_portuguese_headers(
    api: TestClient, params: dict[str, str], cabecalhos: dict[str, str]
) -> None:
    json_ = api.get("/api/v1/estatisticas", params={"orgao": "23000"}).json()
    resposta = api.get("/api/v1/estatisticas", params={"orgao": "23000", **params}, headers=cabecalhos)
    assert resposta.status_code == 200
    assert resposta.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="estatisticas-protocolo.csv"' in resposta.headers["content-disposition"]
    linhas = list(csv.reader(io.StringIO(resposta.content.decode("utf-8-sig")), delimiter=";"))
    assert linhas[0] == ["Dimensão", "Código", "Descrição", "Quantidade"]
    por_dimensao: dict[str, dict[str, int]] = {}
    for dimensao, codigo, _descricao, quantidade in linhas[1:]:
        por_dimensao.setdefault(dimensao, {})[codigo] = int(quantidade)
    assert por_dimensao["Total"] == {
        "movimentos": json_["total_movimentos"],
        "processos": json_["total_processos"],
    }
    for dimensao, chave in (
        ("Órgão", "por_orgao"),
        ("Operação", "por_operacao"),
        ("Mês", "por_mes"),
        ("Situação", "por_situacao"),
    ):
        assert por_dimensao[dimensao] == {c["codigo"]: c["quantidade"] for c in json_[chave]}


def test_estatisticas_refuse_bad_filters_in_portuguese(api: TestClient) -> None:
    for params, mensagem in (
        ({"formato": "xml"}, "formato: use json ou csv"),
        ({"desde": "2024-13-01"}, "desde: data inválida"),
        ({"orgao": "<script>"}, "orgao: informe o código do órgão"),
    ):
        resposta = api.get("/api/v1/estatisticas", params=params)
        assert resposta.status_code == 422
        assert mensagem in resposta.json()["detail"]


def test_the_openapi_documents_every_search_parameter_with_an_example(api: TestClient) -> None:
    esquema = api.get("/openapi.json").json()
    for caminho in ("/api/v1/processos", "/api/v1/estatisticas"):
        for parametro in esquema["paths"][caminho]["get"]["parameters"]:
            assert parametro.get("description"), parametro["name"]
            assert parametro["schema"].get("examples") or parametro.get("example"), parametro["name"]


NUP_CANONICO = gerar_nup(unidade=23037, sequencial=4711, ano=2021)  # 23037.004711/2021-xx


def _indexar_canonico(settings: Settings, nup: Nup) -> None:
    """One public processo with one movement, as the streams project it and the indexer writes it."""
    evento = Evento(
        id=f"{nup.digitos}-0",
        orgao="23000",
        nup=nup.digitos,
        tipo=TipoProtocolo.PROCESSO,
        operacao=Operacao.AUTUACAO,
        ocorrido_em=datetime(2021, 3, 2, 14, 40, tzinfo=ZoneInfo("America/Sao_Paulo")),
        nivel_acesso=NivelAcesso.PUBLICO,
        unidade_origem=Unidade("2300001", "GM", "Gabinete do Ministro"),
        assunto="Pedido de redirecionamento",
    )
    processo = fold_processo([evento])
    referencia, catalogo = carregar_referencia(), catalogo_padrao()
    segredo = settings.secret_key.get_secret_value().encode()

    def pela_avro(nome: str, registro: dict[str, Any]) -> dict[str, Any]:
        return catalogo.decode(nome, catalogo.encode(nome, registro))

    snapshot = pela_avro(
        "processo", snapshot_record(processo, referencia, segredo=segredo, restrito_publico=False)
    )
    movimento = pela_avro("movimento", movimento_record(evento, processo, referencia))
    es = make_search(settings.search)
    try:
        garantir_indices(es, settings.search)
        indices = [settings.search.alias("processos"), settings.search.alias("movimentos")]
        acoes = acoes_do_lote(
            [snapshot], [movimento], indice_processos=indices[0], indice_movimentos=indices[1]
        )
        assert aplicar(es, acoes) == []
        es.indices.refresh(index=indices)  # Elasticsearch needs it (the local server does not)
    finally:
        es.close()


@pytest.fixture(scope="module")
def api_canonico(settings_factory: Callable[..., Settings]) -> Iterator[TestClient]:
    settings = settings_factory()
    _indexar_canonico(settings, NUP_CANONICO)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


CANONICA = f"/api/v1/processos/{NUP_CANONICO.formatado}"


@pytest.mark.parametrize(
    "grafia",
    [
        NUP_CANONICO.digitos,
        f" {NUP_CANONICO.digitos}",
        f"{NUP_CANONICO.formatado} ",
        f"%20{NUP_CANONICO.formatado}%20",
        f"%09{NUP_CANONICO.digitos[:5]}.{NUP_CANONICO.digitos[5:11]}%2F{NUP_CANONICO.digitos[11:15]}-{NUP_CANONICO.digitos[15:]}",
    ],
)
def test_every_other_spelling_of_a_nup_redirects_permanently_to_its_canonical_url(
    api_canonico: TestClient, grafia: str
) -> None:
    resposta = api_canonico.get(f"/api/v1/processos/{grafia}")

    assert resposta.status_code == 301, resposta.text
    assert resposta.headers["location"] == CANONICA
    destino = api_canonico.get(resposta.headers["location"])
    assert destino.status_code == 200, destino.text
    assert (destino.json()["nup"], destino.json()["nup_formatado"]) == (
        NUP_CANONICO.digitos,
        NUP_CANONICO.formatado,
    )


def test_the_canonical_url_answers_directly(api_canonico: TestClient) -> None:
    resposta = api_canonico.get(CANONICA)

    assert resposta.status_code == 200, resposta.text
    assert resposta.json()["nup"] == NUP_CANONICO.digitos


def test_the_redirect_keeps_the_query_string(api_canonico: TestClient) -> None:
    resposta = api_canonico.get(
        f"/api/v1/processos/{NUP_CANONICO.digitos}", params={"origem": "busca", "x": "a b"}
    )

    assert resposta.status_code == 301
    assert resposta.headers["location"] == f"{CANONICA}?origem=busca&x=a+b"


@pytest.mark.parametrize(
    ("grafia", "canonica"),
    [
        ("000000100000001201584", "0000001.00000001/2015-84"),
        ("0019000012398", "00190.000123/98"),
        ("23037001462216", "23037.001462/21-6"),
        ("123451234565040", "12345.123456/50-40"),
        ("001900001231998dv", "00190.000123/1998-DV"),
        ("0019000012398DV", "00190.000123/98-DV"),
    ],
)
def test_legacy_formats_redirect_to_their_own_mask_and_an_unknown_processo_is_then_a_404(
    api_canonico: TestClient, grafia: str, canonica: str
) -> None:
    resposta = api_canonico.get(f"/api/v1/processos/{grafia}")

    assert resposta.status_code == 301
    assert resposta.headers["location"] == f"/api/v1/processos/{canonica}"
    assert api_canonico.get(resposta.headers["location"]).status_code == 404


def test_an_invalid_nup_is_a_422_saying_why_and_never_a_redirect(api_canonico: TestClient) -> None:
    errado = NUP_CANONICO.digitos[:-1] + str((int(NUP_CANONICO.digitos[-1]) + 1) % 10)

    resposta = api_canonico.get(f"/api/v1/processos/{errado}")

    assert resposta.status_code == 422
    assert resposta.json()["detail"].startswith("NUP inválido: dígitos verificadores incorretos")
    assert "location" not in resposta.headers
