"""Privacy, end to end: restrito and sigiloso processos are unreachable, CPFs only masked, no e-mail shown.

The simulator's traffic (with many restrito and sigiloso processos) goes through the real pipeline;
the same seed written to a file tells the test every assunto, interessado and CPF it sent. Then every
public door is tried: portal pages, API detail, search (NUP, assunto, interessado, CPF), Atom feed,
statistics, webhooks (an integrator follows every órgão of the traffic before it starts), and
saved-search alerts (confirmed before the traffic: every public processo, the assuntos of non-public
ones, the CPFs of their interessados), whose e-mails are read from the SMTP sink.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from cli.stack import porta_livre
from protocolo.documentos import is_cnpj, is_cpf, so_digitos
from protocolo.masking import mascarar_cpf
from protocolo.model import TipoProtocolo
from protocolo.nup import parse_nup
from protocolo.referencia import carregar_referencia
from protocolo.settings import AlertasSettings, Settings
from protocolo.webhooks import id_entrega
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.oraculo import diferencas, diferencas_movimentos
from tests.fixtures.receptor import Receptor, iniciar_receptor

pytestmark = pytest.mark.slow

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
EMAIL_INSCRITO = "titular.privacidade@example.com"
AMOSTRA = 12
ARGUMENTOS = ("--eventos", "1200", "--seed", "23", "--restritos", "0.25", "--sigilosos", "0.15")
RESUMO_S = 5.0  # the alerts' `diario` interval here: every digest of the traffic arrives within the test


@pytest.fixture(scope="module")
def pipeline_overrides() -> dict[str, Any]:
    alertas = AlertasSettings(
        analise="local", intervalo_diario_s=RESUMO_S, itens_por_resumo=5000, metrics_port=porta_livre()
    )
    return {"alertas": alertas}


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


WEBHOOKS_DE_BUSCA: list[str] = []


@pytest.fixture(scope="module")
def receptor_webhooks(pipeline: Settings) -> Iterator[Receptor]:
    """A receiver with an active webhook for every órgão of the reference data, and a saved-search one for
    each tipo (together: every public processo), before any traffic."""
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
        for tipo in TipoProtocolo:
            resposta = api.post(
                "/api/v1/webhooks", json={"url": receptor.url, "alerta": f"tipo={tipo.value}"}, headers=auth
            )
            assert resposta.status_code == 201, resposta.text
            receptor.segredos.append(resposta.json()["segredo"])
            WEBHOOKS_DE_BUSCA.append(resposta.json()["id"])
        eventually(
            lambda: {w["situacao"] for w in api.get("/api/v1/webhooks", headers=auth).json()} == {"ativo"},
            timeout=60,
            what="every webhook active",
        )
    yield receptor
    parar()


class Alertas:
    """The alerts confirmed before the traffic: addresses of everything, of hidden assuntos, of CPFs."""

    def __init__(self, pasta: Path, todos: str, ocultos: list[str]) -> None:
        self.pasta = pasta
        self.todos = todos
        self.ocultos = ocultos

    def emails(self) -> list[EmailMessage]:
        """Every e-mail the sink received for these alerts' addresses (confirmations included)."""
        parser = BytesParser(policy=policy.default)
        mensagens = [parser.parsebytes(p.read_bytes()) for p in sorted(self.pasta.glob("*.eml"))]
        return [m for m in mensagens if m["To"] in {self.todos, *self.ocultos}]


def _texto(mensagem: EmailMessage) -> str:
    partes = [mensagem.get_body(preferencelist=(tipo,)) for tipo in ("plain", "html")]
    return "\n".join(p.get_content() for p in partes if p is not None)


def _nups_listados(mensagem: EmailMessage) -> set[str]:
    return {so_digitos(n) for n in re.findall(r"/processos/(\d{5}\.\d{6}/\d{4}-\d{2})", _texto(mensagem))}


@pytest.fixture(scope="module")
def alertas(pipeline: Settings, mail_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Alertas:
    """Alerts on every public processo and on what only non-public ones hold, confirmed before traffic."""
    pasta = tmp_path_factory.mktemp("privacidade-alertas")
    gerado = run_cli(pipeline, "simulate", *ARGUMENTOS, "--saida", str(pasta / "eventos.jsonl"))
    assert gerado.returncode == 0, gerado.stderr
    eventos = [
        json.loads(linha) for linha in (pasta / "eventos.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    # What the traffic will carry on processos that are never public: their assuntos and CPFs.
    por_nup: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in eventos:
        por_nup[so_digitos(str(e.get("nup", "")))].append(e)
    nunca_publicos = [
        n for n, es in sorted(por_nup.items()) if not {e.get("nivel_acesso") for e in es} & {"PUBLICO"}
    ]
    assuntos = sorted({e["assunto"] for n in nunca_publicos for e in por_nup[n] if e.get("assunto")})[:4]

    def cpfs_de(nups: Iterable[str]) -> set[str]:
        documentos = {
            so_digitos(str(i.get("documento") or ""))
            for n in nups
            for e in por_nup[n]
            for i in e.get("interessados") or []
        }
        return {d for d in documentos if is_cpf(d)}

    # CPFs no processo that is ever public holds: their alerts have nothing to tell, ever.
    cpfs = sorted(cpfs_de(nunca_publicos) - cpfs_de(set(por_nup) - set(nunca_publicos)))[:4]
    assert assuntos and cpfs
    pedidos = [{"email": "todos.alertas@example.com", "movimentos": True}]
    pedidos += [{"email": f"assunto{n}.alertas@example.com", "q": f'"{a}"'} for n, a in enumerate(assuntos)]
    pedidos += [{"email": f"cpf{n}.alertas@example.com", "documento": c} for n, c in enumerate(cpfs)]
    with httpx.Client(base_url=f"http://127.0.0.1:{pipeline.api.port}", timeout=15) as api:
        for pedido in pedidos:
            resposta = api.post("/api/v1/alertas", json={**pedido, "frequencia": "diario"})
            assert resposta.status_code == 202, resposta.text
        resultado = Alertas(mail_dir, pedidos[0]["email"], [p["email"] for p in pedidos[1:]])

        def links() -> list[str] | None:
            achados = [
                re.findall(r"https?://\S+/alertas/confirmar/\S+", _texto(m)) for m in resultado.emails()
            ]
            return [a[0] for a in achados if a] if len(achados) == len(pedidos) else None

        for link in eventually(links, what="every alert's confirmation e-mail"):
            caminho = link.removeprefix(pipeline.api.public_base_url.rstrip("/"))
            assert "Alerta confirmado" in api.post(caminho).text

    def ativos() -> float:
        metricas = httpx.get(f"http://127.0.0.1:{pipeline.alertas.metrics_port}/metrics", timeout=5).text
        return float(
            next(x for x in metricas.splitlines() if x.startswith("protocolo_alertas_ativos ")).split()[1]
        )

    eventually(lambda: ativos() == len(pedidos), what="the alert sender to hold every confirmed alert")
    return resultado


@pytest.fixture(scope="module")
def trafego(
    pipeline: Settings,
    receptor_webhooks: Receptor,
    alertas: Alertas,
    tmp_path_factory: pytest.TempPathFactory,
) -> Trafego:
    pasta = tmp_path_factory.mktemp("privacidade")
    argumentos = ARGUMENTOS
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
    # The saved-search webhooks delivered the public movimentos too (what each tells is checked below).
    por_busca = {
        id_entrega(m, w) for m in oraculo_publicos for w in WEBHOOKS_DE_BUSCA
    } & receptor_webhooks.ids_aceitos()
    assert len(por_busca) >= len(oraculo_publicos) // 2, "the saved-search webhooks delivered little"
    cpfs = trafego.cpfs()
    for recebida in entregues:
        assert recebida.verificada
        assert so_digitos(recebida.payload["data"]["nup"]) not in sempre_sigilosos
        texto = recebida.corpo.decode()
        for sequencia in re.findall(r"\d[\d.\-/]{9,16}\d", texto):
            assert so_digitos(sequencia) not in cpfs, f"a full CPF left through a webhook: {sequencia}"
        assert not EMAIL.search(texto), f"an e-mail address left through a webhook: {EMAIL.search(texto)}"


def test_alert_emails_never_carry_a_non_public_processo_a_full_cpf_or_another_address(
    trafego: Trafego, alertas: Alertas
) -> None:
    publicos = set(trafego.nups("PUBLICO"))

    def todos_avisados() -> bool:
        listados = set().union(*(_nups_listados(m) for m in alertas.emails() if m["To"] == alertas.todos))
        return listados >= publicos

    eventually(todos_avisados, timeout=120, what="every public processo in the all-processos alert's digests")
    sempre_ocultos = {
        n for n in trafego.nups("RESTRITO", "SIGILOSO") if not trafego.textos(n, "nivel_acesso") & {"PUBLICO"}
    }
    assert sempre_ocultos  # the check below means something
    mensagens = alertas.emails()
    assert len(mensagens) > len(alertas.ocultos) + 1  # digests, beyond the confirmations
    cpfs = trafego.cpfs()
    for mensagem in mensagens:
        vazados = _nups_listados(mensagem) & sempre_ocultos
        assert not vazados, f"an alert e-mail listed non-public processos {vazados}"
        texto = _texto(mensagem)
        for sequencia in re.findall(r"\d[\d.\-/]{9,16}\d", texto):
            assert so_digitos(sequencia) not in cpfs, f"a full CPF left in an alert e-mail: {sequencia}"
        assert not EMAIL.search(texto), f"an e-mail address in an alert e-mail: {EMAIL.search(texto)}"
    # The alerts on CPFs only non-public processos hold found nothing to tell beyond their confirmation.
    for endereco in (e for e in alertas.ocultos if e.startswith("cpf")):
        recebidas = [m for m in mensagens if m["To"] == endereco]
        assert [str(m["Subject"]) for m in recebidas] == ["Confirme: alerta de busca de processos"], endereco
