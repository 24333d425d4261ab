"""GET /api/v1/processos/{nup}: one address per processo, any accepted NUP format redirected to it.

One public processo is folded, projected and indexed with the indexer's own code on the real local
search server; the FastAPI app runs in-process and the redirects are not followed automatically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.documents import acoes_do_lote
from indexer.sink import aplicar, garantir_indices
from protocolo.avro import catalogo_padrao
from protocolo.fold import fold_processo
from protocolo.model import Evento, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import Nup, gerar_nup
from protocolo.referencia import carregar_referencia
from protocolo.search import make_search
from protocolo.settings import Settings
from streams.projection import movimento_record, snapshot_record

NUP = gerar_nup(unidade=23037, sequencial=4711, ano=2021)  # 23037.004711/2021-xx


def _indexar(settings: Settings, nup: Nup) -> None:
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
def api(settings_factory: Callable[..., Settings]) -> Iterator[TestClient]:
    settings = settings_factory()
    _indexar(settings, NUP)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


CANONICA = f"/api/v1/processos/{NUP.formatado}"


@pytest.mark.parametrize(
    "grafia",
    [
        NUP.digitos,
        f" {NUP.digitos}",
        f"{NUP.formatado} ",
        f"%20{NUP.formatado}%20",
        f"%09{NUP.digitos[:5]}.{NUP.digitos[5:11]}%2F{NUP.digitos[11:15]}-{NUP.digitos[15:]}",
    ],
)
def test_every_other_spelling_of_a_nup_redirects_permanently_to_its_canonical_url(
    api: TestClient, grafia: str
) -> None:
    resposta = api.get(f"/api/v1/processos/{grafia}")

    assert resposta.status_code == 301, resposta.text
    assert resposta.headers["location"] == CANONICA
    destino = api.get(resposta.headers["location"])
    assert destino.status_code == 200, destino.text
    assert (destino.json()["nup"], destino.json()["nup_formatado"]) == (NUP.digitos, NUP.formatado)


def test_the_canonical_url_answers_directly(api: TestClient) -> None:
    resposta = api.get(CANONICA)

    assert resposta.status_code == 200, resposta.text
    assert resposta.json()["nup"] == NUP.digitos


def test_the_redirect_keeps_the_query_string(api: TestClient) -> None:
    resposta = api.get(f"/api/v1/processos/{NUP.digitos}", params={"origem": "busca", "x": "a b"})

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
    api: TestClient, grafia: str, canonica: str
) -> None:
    resposta = api.get(f"/api/v1/processos/{grafia}")

    assert resposta.status_code == 301
    assert resposta.headers["location"] == f"/api/v1/processos/{canonica}"
    assert api.get(resposta.headers["location"]).status_code == 404


def test_an_invalid_nup_is_a_422_saying_why_and_never_a_redirect(api: TestClient) -> None:
    errado = NUP.digitos[:-1] + str((int(NUP.digitos[-1]) + 1) % 10)

    resposta = api.get(f"/api/v1/processos/{errado}")

    assert resposta.status_code == 422
    assert resposta.json()["detail"].startswith("NUP inválido: dígitos verificadores incorretos")
    assert "location" not in resposta.headers
