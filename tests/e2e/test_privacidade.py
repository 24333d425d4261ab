"""Privacy, end to end: restrito and sigiloso processos are unreachable, CPFs only masked, no e-mail shown.

The simulator's traffic (with many restrito and sigiloso processos) goes through the real pipeline;
the same seed written to a file tells the test every assunto, interessado and CPF it sent. Then every
public door is tried: portal pages, API detail, search (NUP, assunto, interessado, CPF), Atom feed,
statistics, and webhooks (an integrator follows every órgão of the traffic before it starts).
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from protocolo.documentos import is_cnpj, is_cpf, so_digitos
from protocolo.masking import mascarar_cpf
from protocolo.nup import parse_nup
from protocolo.referencia import carregar_referencia
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.oraculo import diferencas, diferencas_movimentos
from tests.fixtures.receptor import Receptor, iniciar_receptor

pytestmark = pytest.mark.slow

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_INSCRITO = "titular.privacidade@example.com"
AMOSTRA = 12


class Trafego:
    """What was sent: events by NUP digits, and the oracle's final access level of each processo."""

    def __init__(self, eventos: list[dict[str, Any]], oraculo: dict[str, Any]) -> None:
        self.eventos: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in eventos:
            self.eventos[so_digitos(str(e.get("nup", "")))].append(e)
        self.nivel = {nup: p["nivel_acesso"] for nup, p in oraculo["processos"].items()}
        self.movimentos_publicos = len(oraculo["movimentos_publicos"])
        self.ids_movimentos_publicos = set(oraculo["movimentos_publicos"])

    def nups(self, *niveis: str) -> list[str]:
        return sorted(n for n, nivel in self.nivel.items() if nivel in niveis)

    def textos(self, nup: str, campo: str) -> set[str]:
        return {str(e[campo]) for e in self.eventos[nup] if e.get(campo)}

    def interessados(self, nup: str) -> list[dict[str, str]]:
        """Interessados as sent; a documento that is no valid CPF/CNPJ (an invalid event's) is dropped."""
        vistos: dict[str, dict[str, str]] = {}
        for e in self.eventos[nup]:
            for i in e.get("interessados") or []:
                digitos = so_digitos(str(i.get("documento") or ""))
                valido = is_cpf(digitos) or is_cnpj(digitos)
                vistos.setdefault(
                    i["nome"], {"nome": i["nome"], **({"documento": digitos} if valido else {})}
                )
        return list(vistos.values())

    def cpfs(self) -> set[str]:
        return {
            so_digitos(i["documento"])
            for nup in self.nivel
            for i in self.interessados(nup)
            if i.get("documento") and is_cpf(so_digitos(i["documento"]))
        }


@pytest.fixture(scope="module")
def receptor_webhooks(pipeline: Settings) -> Iterator[Receptor]:
    """A receiver with an active webhook for every órgão of the reference data, before any traffic."""
    receptor, parar = iniciar_receptor()
    criado = run_cli(
        pipeline, "integradores", "token", "create", "Auditoria", "--email", "a@integrador.example"
    )
    assert criado.returncode == 0, criado.stderr
    auth = {"Authorization": f"Bearer {criado.stdout.strip()}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{pipeline.api.port}", timeout=15) as api:
        eventually(lambda: api.get("/api/v1/webhooks", headers=auth).status_code == 200, what="token")
        for orgao in carregar_referencia().orgaos:
            resposta = api.post(
                "/api/v1/webhooks", json={"url": receptor.url, "orgao": orgao.codigo}, headers=auth
            )
            assert resposta.status_code == 201, resposta.text
            receptor.segredos.append(resposta.json()["segredo"])
        eventually(
            lambda: {w["situacao"] for w in api.get("/api/v1/webhooks", headers=auth).json()} == {"ativo"},
            timeout=60,
            what="every webhook active",
        )
    yield receptor
    parar()


@pytest.fixture(scope="module")
def trafego(
    pipeline: Settings, receptor_webhooks: Receptor, tmp_path_factory: pytest.TempPathFactory
) -> Trafego:
    pasta = tmp_path_factory.mktemp("privacidade")
    argumentos = ("--eventos", "1200", "--seed", "23", "--restritos", "0.25", "--sigilosos", "0.15")
    gerado = run_cli(pipeline, "simulate", *argumentos, "--saida", str(pasta / "eventos.jsonl"))
    assert gerado.returncode == 0, gerado.stderr
    publicado = run_cli(pipeline, "simulate", *argumentos, "--oraculo", str(pasta / "oraculo.json"))
    assert publicado.returncode == 0, publicado.stderr
    oraculo = json.loads((pasta / "oraculo.json").read_text(encoding="utf-8"))
    limite = time.monotonic() + 120
    while (restantes := diferencas(pipeline, oraculo) + diferencas_movimentos(pipeline, oraculo)) and (
        time.monotonic() < limite
    ):
        time.sleep(1)
    assert restantes == [], f"index differs from the oracle: {restantes[:10]}"
    linhas = (pasta / "eventos.jsonl").read_text(encoding="utf-8").splitlines()
    trafego = Trafego([json.loads(linha) for linha in linhas], oraculo)
    assert len(trafego.nups("RESTRITO")) >= 5 and len(trafego.nups("SIGILOSO")) >= 5
    return trafego


@pytest.fixture(scope="module")
def cliente(pipeline: Settings) -> Iterator[httpx.Client]:
    base = f"http://127.0.0.1:{pipeline.api.port}"
    with httpx.Client(base_url=base, timeout=15, headers={"Accept": "text/html,*/*"}) as c:
        yield c


def _todos_os_resultados(cliente: httpx.Client, **params: str) -> list[str]:
    """Every NUP the search API returns for these parameters, following the cursor to the end."""
    nups: list[str] = []
    cursor: str | None = None
    while True:
        pedido = {**params, "tamanho": "100", "facetas": "false", **({"cursor": cursor} if cursor else {})}
        resposta = cliente.get("/api/v1/processos", params=pedido)
        assert resposta.status_code == 200, resposta.text
        corpo = resposta.json()
        nups += [p["nup"] for p in corpo["items"]]
        cursor = corpo.get("proximo_cursor")
        if not cursor:
            return nups


def test_non_public_processos_have_no_page_detail_feed_or_redirect(
    trafego: Trafego, cliente: httpx.Client
) -> None:
    for nup in trafego.nups("RESTRITO", "SIGILOSO")[:AMOSTRA]:
        formatado = parse_nup(nup).formatado
        assert cliente.get(f"/processos/{formatado}").status_code == 404
        assert cliente.get(f"/api/v1/processos/{formatado}").status_code == 404
        assert cliente.get(f"/processos/{formatado}/feed.atom").status_code == 404
        # A NUP typed in the search box leads to its page, which does not exist for the public.
        resposta = cliente.get("/", params={"q": nup}, follow_redirects=True)
        assert resposta.status_code == 404 and "Processo não encontrado" in resposta.text
        assert not any(a in resposta.text for a in trafego.textos(nup, "assunto"))
        assert _todos_os_resultados(cliente, q=nup) == []
        assert _todos_os_resultados(cliente, nup=nup) == []


def test_no_search_by_assunto_interessado_or_cpf_returns_a_non_public_processo(
    trafego: Trafego, cliente: httpx.Client
) -> None:
    ocultos = set(trafego.nups("RESTRITO", "SIGILOSO"))
    for nup in sorted(ocultos)[:AMOSTRA]:
        consultas: list[dict[str, str]] = []
        consultas += [{"q": f'"{a}"'} for a in trafego.textos(nup, "assunto")]
        consultas += [{"assunto": a} for a in trafego.textos(nup, "assunto")]
        for i in trafego.interessados(nup)[:2]:
            consultas.append({"interessado": i["nome"]})
            if i.get("documento"):
                consultas.append({"documento": i["documento"]})
                consultas.append({"q": i["documento"]})
        for params in consultas:
            achados = set(_todos_os_resultados(cliente, **params))
            assert not achados & ocultos, f"{params} found non-public processos {achados & ocultos}"


def test_statistics_count_only_public_processos(trafego: Trafego, cliente: httpx.Client) -> None:
    numeros = cliente.get("/api/v1/estatisticas").json()
    assert numeros["total_processos"] == len(trafego.nups("PUBLICO"))
    assert numeros["total_movimentos"] == trafego.movimentos_publicos


def test_cpfs_appear_only_masked_and_no_email_address_appears_in_html_or_json(
    trafego: Trafego, cliente: httpx.Client
) -> None:
    publicos = trafego.nups("PUBLICO")[:AMOSTRA]
    inscricao = cliente.post(
        f"/processos/{parse_nup(publicos[0]).formatado}/inscricao", data={"email": EMAIL_INSCRITO}
    )
    assert inscricao.status_code == 200
    respostas = [inscricao.text]
    mascarados = 0
    for nup in publicos:
        formatado = parse_nup(nup).formatado
        detalhe = cliente.get(f"/api/v1/processos/{formatado}")
        assert detalhe.status_code == 200
        respostas += [
            detalhe.text,
            cliente.get(f"/processos/{formatado}").text,
            cliente.get(f"/processos/{formatado}/feed.atom").text,
        ]
        for i in trafego.interessados(nup)[:2]:
            respostas.append(cliente.get("/", params={"interessado": i["nome"]}).text)
            respostas.append(cliente.get("/api/v1/processos", params={"interessado": i["nome"]}).text)
            if i.get("documento") and is_cpf(so_digitos(i["documento"])):
                cpf = so_digitos(i["documento"])
                pagina_cpf = cliente.post("/consulta", data={"documento": i["documento"]})
                respostas += [pagina_cpf.text, cliente.get("/", params={"q": i["documento"]}).text]
                assert formatado in pagina_cpf.text  # the CPF search works…
                assert mascarar_cpf(cpf) in detalhe.text  # …and the detail shows it masked
                mascarados += 1
    respostas += [cliente.get("/api/v1/estatisticas", params={"formato": "csv"}).text, cliente.get("/").text]
    assert mascarados > 0
    cpfs = trafego.cpfs()
    for texto in respostas:
        for sequencia in re.findall(r"\d[\d.\-/]{9,16}\d", texto):
            assert so_digitos(sequencia) not in cpfs, f"a full CPF was shown: {sequencia}"
        assert not EMAIL.search(texto), f"an e-mail address was shown: {EMAIL.search(texto)}"


def test_webhooks_deliver_every_public_movimento_and_nothing_sent_non_public_with_cpfs_masked(
    trafego: Trafego, receptor_webhooks: Receptor
) -> None:
    oraculo_publicos = trafego.ids_movimentos_publicos
    eventually(
        lambda: {r.payload["data"]["id"] for r in receptor_webhooks.aceitas()} >= oraculo_publicos,
        timeout=120,
        what="every public movimento delivered",
    )
    entregues = receptor_webhooks.aceitas()
    # Beyond the processos public at the end: the movimentos of those that were public when they moved
    # and were made restrito or sigiloso later (mailed to subscribers too). Nothing sent non-public.
    nivel_no_envio = {
        f"{e['orgao']}:{e['id']}": e.get("nivel_acesso")
        for eventos in trafego.eventos.values()
        for e in eventos
    }
    extras = {r.payload["data"]["id"] for r in entregues} - oraculo_publicos
    assert {nivel_no_envio.get(id_) for id_ in extras} <= {"PUBLICO"}, "a non-public movimento left"
    sempre_sigilosos = {
        n for n in trafego.nups("SIGILOSO") if not trafego.textos(n, "nivel_acesso") & {"PUBLICO"}
    }
    assert sempre_sigilosos  # the check below means something
    cpfs = trafego.cpfs()
    for recebida in entregues:
        assert recebida.verificada
        assert so_digitos(recebida.payload["data"]["nup"]) not in sempre_sigilosos
        texto = recebida.corpo.decode()
        for sequencia in re.findall(r"\d[\d.\-/]{9,16}\d", texto):
            assert so_digitos(sequencia) not in cpfs, f"a full CPF left through a webhook: {sequencia}"
        assert not EMAIL.search(texto), f"an e-mail address left through a webhook: {EMAIL.search(texto)}"
