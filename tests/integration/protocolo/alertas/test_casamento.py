"""The matcher agrees with the search API: on simulated traffic indexed in the real local search
server, every saved search matches exactly the processos GET /api/v1/processos returns for it.

The documents are built from the simulator's processos by the indexer's own code; the searches
are words of those documents as typed, misspelt, cut into phrases, joined by OU, mixed with stop
words, dates, NUPs, CPFs and filters. A search the matcher and the API disagree on is printed
with both sets.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.alertas_consulta import consulta_de_busca
from api.app import create_app
from api.busca.params import validar_busca
from cli.simulation.simulator import SimulationConfig, Simulator
from indexer.documents import acoes_do_lote
from indexer.sink import aplicar, garantir_indices
from protocolo.alertas.analise import LOCAL, tokenizar
from protocolo.alertas.documento import DocumentoAnalisado, analisar_documento
from protocolo.alertas.indice import Casador
from protocolo.avro import catalogo_padrao
from protocolo.documento_busca import documento_processo
from protocolo.fold import fold_processo
from protocolo.nup import parse_nup
from protocolo.referencia import carregar_referencia
from protocolo.search import make_search
from protocolo.settings import Settings
from streams.projection import snapshot_record

PROCESSOS = 250
OSMEM = LOCAL  # the local search server's analysis (protocolo.alertas.analise.Regras)


@pytest.fixture(scope="module")
def indexado(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, list[dict[str, Any]]]]:
    """Simulated processos indexed as the indexer writes them; yields settings and the snapshots."""
    settings = settings_factory()
    referencia = carregar_referencia()
    simulador = Simulator(SimulationConfig(seed=17, processos=PROCESSOS, invalid_fraction=0), referencia)
    for _ in simulador.eventos():
        pass
    catalogo, segredo = catalogo_padrao(), settings.chaveiro.atual  # the key the streams hash with
    snapshots = []
    for eventos in simulador.oracle().eventos_validos.values():
        registro = snapshot_record(
            fold_processo(eventos), referencia, segredo=segredo, restrito_publico=False
        )
        snapshots.append(catalogo.decode("processo", catalogo.encode("processo", registro)))
    indice = settings.search.alias("processos")
    acoes = acoes_do_lote(snapshots, [], indice_processos=indice, indice_movimentos="nenhum")
    es = make_search(settings.search)
    try:
        garantir_indices(es, settings.search)
        assert aplicar(es, acoes) == []
        es.indices.refresh(index=indice)
    finally:
        es.close()
    yield settings, snapshots


@pytest.fixture(scope="module")
def api(indexado: tuple[Settings, list[dict[str, Any]]]) -> Iterator[TestClient]:
    with TestClient(create_app(indexado[0])) as client:
        yield client


def _buscar(api: TestClient, params: dict[str, Any]) -> set[str]:
    """Every NUP the search API returns for `params`, following the cursor."""
    nups: set[str] = set()
    cursor = None
    while True:
        pedido = {**params, "tamanho": 100, "facetas": "false", "ordem": "recentes"}
        if cursor:
            pedido["cursor"] = cursor
        resposta = api.get("/api/v1/processos", params=pedido)
        assert resposta.status_code == 200, resposta.text
        corpo = resposta.json()
        nups |= {p["nup"] for p in corpo["items"]}
        cursor = corpo.get("proximo_cursor")
        if not cursor:
            return nups


def _errar(palavra: str, rng: random.Random) -> str:
    """The word with one or two typos: a letter swapped, dropped, doubled or replaced."""
    letras = list(palavra)
    for _ in range(rng.choice((1, 1, 2))):
        if len(letras) < 3:
            break
        i = rng.randrange(len(letras) - 1)
        match rng.randrange(4):
            case 0:
                letras[i], letras[i + 1] = letras[i + 1], letras[i]
            case 1:
                del letras[i]
            case 2:
                letras.insert(i, letras[i])
            case _:
                letras[i] = rng.choice("aeioust")
    return "".join(letras)


def _buscas(snapshots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Searches drawn from the documents' own text, plus the tricky cases, deterministic."""
    rng = random.Random(5)
    textos = [s["assunto"] for s in snapshots if s.get("assunto")]
    nomes = [i["nome"] for s in snapshots for i in s.get("interessados") or ()]
    especies = [s["especie"] for s in snapshots if s.get("especie")]
    palavras = sorted({p for t in textos + nomes + especies for p in tokenizar(t) if p.isalpha()})
    buscas: list[dict[str, Any]] = [
        {"q": "aposentadoria"},
        {"q": "Aposentadorias"},
        {"q": "licitacao"},
        {"q": "licitações material"},
        {"q": "de"},
        {"q": "é"},
        {"q": "não"},
        {"q": "nao"},
        {"q": '"aquisição de material"'},
        {"q": '"material de escritório"'},
        {"q": '"pedido licença"'},
        {"q": "aposentadoria OU pensão"},
        {"q": "aposentadoria OU licença capacitação"},
        {"q": "12.527/2011"},
        {"q": "2011"},
        {"q": "2021"},
        {"q": "01/2024"},
        {"q": "xyzzy"},
        {"q": "23037.001462/2021-00"},
        {"orgao": "26000"},
        {"orgao": "26000", "q": "pedido"},
        {"situacao": "ARQUIVADO"},
        {"tipo": "DOCUMENTO"},
        {"assunto": "licença"},
        {"desde": "2024", "campo_data": "autuacao"},
        {"ate": "06/2023", "campo_data": "atualizacao"},
        {"desde": "01/2024", "ate": "03/2024"},
    ]
    for palavra in rng.sample(palavras, min(40, len(palavras))):
        buscas.append({"q": palavra})
        buscas.append({"q": _errar(palavra, rng)})
    for texto in rng.sample(textos, 10):
        tokens = texto.split()
        inicio = rng.randrange(max(1, len(tokens) - 2))
        buscas.append({"q": '"' + " ".join(tokens[inicio : inicio + 3]) + '"'})
        buscas.append({"q": " ".join(rng.sample(tokens, min(2, len(tokens))))})
    for nome in rng.sample(nomes, 8):
        buscas.append({"interessado": " ".join(nome.split()[:2])})
        buscas.append({"q": nome.split()[-1] + " OU " + rng.choice(palavras)})
    for snapshot in rng.sample(snapshots, 4):
        buscas.append({"q": parse_nup(snapshot["nup"]).formatado})
        buscas.append({"nup": snapshot["nup"]})
    return buscas


def _documentos(snapshots: list[dict[str, Any]]) -> list[DocumentoAnalisado]:
    return [analisar_documento(documento_processo(s), OSMEM) for s in snapshots]


def test_every_saved_search_matches_what_search_returns(
    api: TestClient, indexado: tuple[Settings, list[dict[str, Any]]]
) -> None:
    settings, snapshots = indexado
    segredo = settings.chaveiro.atual  # the key the streams and the API hash with
    documentos = _documentos(snapshots)
    buscas = _buscas(snapshots)
    casador = Casador(OSMEM)
    for n, params in enumerate(buscas):
        casador.adicionar(str(n), consulta_de_busca(validar_busca(**params), segredo=segredo))
    casados: dict[str, set[str]] = {str(n): set() for n in range(len(buscas))}
    for documento in documentos:
        for alerta in casador.casar(documento):
            casados[alerta].add(documento.nup)
    divergencias = []
    for n, params in enumerate(buscas):
        esperado = _buscar(api, params)
        if casados[str(n)] != esperado:
            divergencias.append(
                f"{params}: só o alerta {sorted(casados[str(n)] - esperado)[:5]}, "
                f"só a busca {sorted(esperado - casados[str(n)])[:5]}"
            )
    assert sum(1 for d in documentos if d.publico) > PROCESSOS // 2
    assert not divergencias, "\n".join(divergencias)


def test_searches_by_documento_match_its_processos(
    api: TestClient, indexado: tuple[Settings, list[dict[str, Any]]]
) -> None:
    settings, snapshots = indexado
    segredo = settings.chaveiro.atual  # the key the streams and the API hash with
    referencia = carregar_referencia()
    simulador = Simulator(SimulationConfig(seed=17, processos=PROCESSOS, invalid_fraction=0), referencia)
    for _ in simulador.eventos():
        pass
    cpfs = sorted(
        {
            i.documento
            for evs in simulador.oracle().eventos_validos.values()
            for e in evs
            for i in e.interessados
        }
    )
    documentos = _documentos(snapshots)
    for cpf in random.Random(3).sample(cpfs, 6):
        for params in ({"documento": cpf}, {"q": cpf}):
            consulta = consulta_de_busca(validar_busca(**params), segredo=segredo)
            casador = Casador(OSMEM)
            casador.adicionar("a", consulta)
            casados = {d.nup for d in documentos if casador.casar(d)}
            assert casados == _buscar(api, params), params
