"""Webhooks end to end: an integrator token from the CLI, registration through the real API, the
ownership check, events published by an agency through the whole pipeline, signed deliveries
verified with `standardwebhooks`, rotation, removal, and the API's pt-BR refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest

from protocolo.nup import Nup
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually
from tests.fixtures.pipeline import CGGP, PROTOCOLO, evento, novo_nup, rng, write_jsonl
from tests.fixtures.receptor import Receptor

pytestmark = pytest.mark.slow

ESQUEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "schemas" / "json" / "webhook-movimento.v1.json").read_text()
)


def _token(settings: Settings, api: httpx.Client, nome: str) -> str:
    """A new integrator token from the CLI, once the API has it (its view follows the topic)."""
    criado = run_cli(settings, "integradores", "token", "create", nome, "--email", "contato@redacao.example")
    assert criado.returncode == 0, criado.stderr
    assert "não será mostrado de novo" in criado.stderr
    token = criado.stdout.strip()
    auth = {"Authorization": f"Bearer {token}"}
    eventually(lambda: api.get("/api/v1/webhooks", headers=auth).status_code == 200, timeout=30, what="token")
    return token


def _publicar(settings: Settings, tmp_path: Path, eventos: list[dict[str, Any]]) -> None:
    arquivo = write_jsonl(tmp_path / f"eventos-{eventos[0]['id']}.jsonl", list(eventos))
    publicado = run_cli(settings, "publish", str(arquivo))
    assert publicado.returncode == 0, publicado.stdout + publicado.stderr


def _eventos(nup: Nup, *ns: int) -> list[dict[str, Any]]:
    return [
        evento(nup, n, "AUTUACAO" if n == 1 else "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP)
        if n > 1
        else evento(nup, n, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Licitação de merenda")
        for n in ns
    ]


def _situacao(api: httpx.Client, token: str, id_: str) -> str:
    resposta = api.get(f"/api/v1/webhooks/{id_}", headers={"Authorization": f"Bearer {token}"})
    return (
        str(resposta.json().get("situacao"))
        if resposta.status_code == 200
        else f"HTTP {resposta.status_code}"
    )


def test_the_api_refuses_bad_registrations_in_portuguese(pipeline: Settings, api: httpx.Client) -> None:
    token = _token(pipeline, api, "Sistema recusado")
    auth = {"Authorization": f"Bearer {token}"}
    url = "http://127.0.0.1:9/webhook"

    sem_token = api.post("/api/v1/webhooks", json={"url": url, "orgao": "26000"})
    assert sem_token.status_code == 401 and "Token ausente" in sem_token.json()["detail"]
    agencia = api.post(
        "/api/v1/webhooks", json={"url": url, "orgao": "26000"}, headers={"Authorization": "Bearer pit_x"}
    )
    assert agencia.status_code == 401

    casos = [
        ({"url": url}, "exatamente um alvo"),
        ({"url": url, "orgao": "26000", "nup": "23037.001462/2021-65"}, "exatamente um alvo"),
        ({"url": url, "alerta": "al_1"}, "informe a busca como na URL"),
        ({"url": url, "alerta": "q=obras&ano=dois"}, "Alerta: ano: deve ser um número inteiro"),
        ({"url": "http://sistema.example.org/wh", "orgao": "26000"}, "deve usar https"),
        ({"url": "ftp://sistema.example.org/wh", "orgao": "26000"}, "https://"),
        ({"url": "https://u:s@sistema.example.org/wh", "orgao": "26000"}, "usuário ou senha"),
        ({"url": url, "nup": "12345"}, "NUP inválido"),
    ]
    for corpo, trecho in casos:
        resposta = api.post("/api/v1/webhooks", json=corpo, headers=auth)
        assert resposta.status_code == 422, (corpo, resposta.text)
        assert trecho in resposta.json()["detail"], (corpo, resposta.json())
    assert api.get("/api/v1/webhooks", headers=auth).json() == []


def test_an_integrator_registers_passes_the_check_and_receives_signed_movimentos(
    pipeline: Settings, api: httpx.Client, receptor_factory: Callable[..., Receptor], tmp_path: Path
) -> None:
    token = _token(pipeline, api, "Redação")
    auth = {"Authorization": f"Bearer {token}"}
    receptor, controle = receptor_factory(), receptor_factory()
    nup = novo_nup()

    criado = api.post("/api/v1/webhooks", json={"url": receptor.url, "nup": nup.formatado}, headers=auth)
    assert criado.status_code == 201, criado.text
    corpo = criado.json()
    assert corpo["segredo"].startswith("whsec_") and corpo["situacao"] == "pendente"
    assert corpo["alvo"] == {"tipo": "nup", "valor": nup.formatado}
    receptor.segredos.append(corpo["segredo"])
    outro = api.post(
        "/api/v1/webhooks", json={"url": controle.url, "nup": nup.formatado}, headers=auth
    ).json()
    controle.segredos.append(outro["segredo"])
    id_ = corpo["id"]
    eventually(lambda: _situacao(api, token, id_) == "ativo", timeout=60, what="ownership verified")
    listados = api.get("/api/v1/webhooks", headers=auth).json()
    assert [w["id"] for w in listados] == [id_, outro["id"]] and "segredo" not in listados[0]
    assert receptor.desafios[0]["hub.topic"] == f"nup:{nup.digitos}"

    _publicar(pipeline, tmp_path, _eventos(nup, 1, 2))
    eventually(lambda: len(receptor.aceitas()) == 2, timeout=90, what="two deliveries through the pipeline")
    validador = jsonschema_rs.validator_for(ESQUEMA)
    for recebida in receptor.aceitas():
        assert recebida.verificada
        validador.validate(recebida.payload)
    assert [r.payload["data"]["operacao"] for r in receptor.aceitas()] == ["AUTUACAO", "ENVIO"]

    # Another integrator sees none of it.
    alheio = {"Authorization": f"Bearer {_token(pipeline, api, 'Outro sistema')}"}
    assert api.get(f"/api/v1/webhooks/{id_}", headers=alheio).status_code == 404
    assert api.delete(f"/api/v1/webhooks/{id_}", headers=alheio).status_code == 404
    assert api.get("/api/v1/webhooks", headers=alheio).json() == []

    # Rotation: the answer carries the new secret once; deliveries carry both signatures.
    rotacao = api.post(f"/api/v1/webhooks/{id_}/segredo", headers=auth)
    assert rotacao.status_code == 201, rotacao.text
    novo = rotacao.json()["segredo"]
    assert novo.startswith("whsec_") and novo != corpo["segredo"] and rotacao.json()["anteriores_expiram_em"]
    assert len(api.get(f"/api/v1/webhooks/{id_}", headers=auth).json()["segredos"]) == 2
    receptor.segredos[:] = [novo]
    _publicar(pipeline, tmp_path, _eventos(nup, 3))
    eventually(lambda: len(receptor.aceitas()) == 3, timeout=90, what="a delivery after the rotation")
    ultima = receptor.aceitas()[-1]
    assert ultima.verificada and len(ultima.cabecalhos["webhook-signature"].split(" ")) == 2

    # Removal: nothing more goes there (the control webhook on the same processo shows the moment).
    assert api.delete(f"/api/v1/webhooks/{id_}", headers=auth).status_code == 204
    assert api.get(f"/api/v1/webhooks/{id_}", headers=auth).status_code == 404
    _publicar(pipeline, tmp_path, _eventos(nup, 4))
    eventually(lambda: len(controle.aceitas()) == 4, timeout=90, what="the control webhook's fourth delivery")
    assert len(receptor.recebidas) == 3


def test_a_failed_ownership_check_shows_as_refused_with_its_reason(
    pipeline: Settings, api: httpx.Client, receptor_factory: Callable[..., Receptor]
) -> None:
    token = _token(pipeline, api, "Impostor")
    auth = {"Authorization": f"Bearer {token}"}
    receptor = receptor_factory(recusar_desafio=True)
    criado = api.post("/api/v1/webhooks", json={"url": receptor.url, "orgao": "26000"}, headers=auth).json()

    eventually(lambda: _situacao(api, token, criado["id"]) == "recusado", timeout=60, what="refused")
    lido = api.get(f"/api/v1/webhooks/{criado['id']}", headers=auth).json()
    assert "hub.challenge" in lido["motivo"]


def test_a_saved_search_webhook_receives_the_movimentos_of_the_public_processos_it_matches(
    pipeline: Settings, api: httpx.Client, receptor_factory: Callable[..., Receptor], tmp_path: Path
) -> None:
    token = _token(pipeline, api, "Redação de dados")
    auth = {"Authorization": f"Bearer {token}"}
    palavra = "".join(rng.choices("bcdfghjklmnpqrstvwxz", k=4)).join(("qu", "ona"))
    receptor = receptor_factory()
    criado = api.post(
        "/api/v1/webhooks", json={"url": receptor.url, "alerta": f"q={palavra}&orgao=26000"}, headers=auth
    )
    assert criado.status_code == 201, criado.text
    assert criado.json()["alvo"]["tipo"] == "alerta"
    assert palavra in criado.json()["alvo"]["valor"] and "órgão" in criado.json()["alvo"]["valor"]
    receptor.segredos.append(criado.json()["segredo"])
    eventually(lambda: _situacao(api, token, criado.json()["id"]) == "ativo", timeout=60, what="verified")

    casa, outro, restrito = novo_nup(), novo_nup(), novo_nup()
    cpf = "52998224725"
    assunto = f"Pregão eletrônico de {palavra.capitalize()} para CPF {cpf}"
    interessado = [{"nome": "Maria da Silva", "documento": cpf}]
    eventos = [
        evento(casa, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto=assunto, interessados=interessado),
        evento(casa, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP, observacao=f"CPF {cpf}"),
        evento(outro, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto="Reforma do prédio"),
        evento(restrito, 1, "AUTUACAO", unidade_origem=PROTOCOLO, assunto=assunto, nivel_acesso="RESTRITO"),
        evento(restrito, 2, "ENVIO", unidade_origem=PROTOCOLO, unidade_destino=CGGP, nivel_acesso="RESTRITO"),
    ]
    _publicar(pipeline, tmp_path, eventos)
    eventually(lambda: len(receptor.aceitas()) == 2, timeout=90, what="the matching processo's movimentos")
    # A later movimento of the matching processo: what was published before it had time to go out too.
    _publicar(pipeline, tmp_path, [evento(casa, 3, "ENVIO", unidade_origem=CGGP, unidade_destino=PROTOCOLO)])
    eventually(lambda: len(receptor.aceitas()) == 3, timeout=90, what="the third movimento")

    validador = jsonschema_rs.validator_for(ESQUEMA)
    assert [r.payload["data"]["operacao"] for r in receptor.aceitas()] == ["AUTUACAO", "ENVIO", "ENVIO"]
    for recebida in receptor.recebidas:
        assert recebida.verificada
        validador.validate(recebida.payload)
        assert recebida.payload["data"]["nup"] == casa.formatado  # never the restricted one
        assert cpf not in recebida.corpo.decode() and "529.982.247-25" not in recebida.corpo.decode()
