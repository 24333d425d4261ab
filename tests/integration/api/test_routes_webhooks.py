"""The integrators' webhooks API against the real broker: tokens from the CLI, registrations on their topic.

No deliverer runs here, so every webhook stays `pendente`; the checks and deliveries have their own
tests (tests/integration/webhooks, tests/e2e/test_webhooks.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from protocolo.cifra import Cofre
from protocolo.settings import Settings
from protocolo.webhooks import PROPOSITO_SEGREDOS, formatar_segredo
from protocolo.webhooks_topico import ler_webhooks
from tests.fixtures.cli import run_cli
from tests.fixtures.espera import eventually

EMAIL = "contato.sigiloso@integrador.example"


def _criar_token(settings: Settings, cliente: TestClient, nome: str = "Redação") -> dict[str, str]:
    resultado = run_cli(settings, "integradores", "token", "create", nome, "--email", EMAIL)
    assert resultado.returncode == 0, resultado.stderr
    assert "não será mostrado de novo" in resultado.stderr and EMAIL not in resultado.stderr
    cabecalho = {"Authorization": f"Bearer {resultado.stdout.strip()}"}
    eventually(
        lambda: cliente.get("/api/v1/webhooks", headers=cabecalho).status_code == 200,
        timeout=20,
        what="the API to know the new token",
    )
    return cabecalho


@pytest.fixture
def api(settings_factory: Callable[..., Settings]) -> Iterator[tuple[Settings, TestClient]]:
    settings = settings_factory(carregar_referencia_exemplo=False)
    with TestClient(create_app(settings)) as cliente:
        yield settings, cliente


def test_a_registration_is_stored_with_its_secret_sealed_and_shown_once(
    api: tuple[Settings, TestClient],
) -> None:
    settings, cliente = api
    auth = _criar_token(settings, cliente)

    criado = cliente.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/wh", "orgao": "26000"}, headers=auth
    )

    assert criado.status_code == 201, criado.text
    corpo = criado.json()
    assert corpo["situacao"] == "pendente" and corpo["alvo"] == {"tipo": "orgao", "valor": "26000"}
    lido = cliente.get(f"/api/v1/webhooks/{corpo['id']}", headers=auth).json()
    assert "segredo" not in lido and lido["situacao"] == "pendente" and len(lido["segredos"]) == 1
    # On the topic: sealed, never the secret; it opens only with the platform's key and this webhook's id.
    guardado = ler_webhooks(settings.kafka)[corpo["id"]]
    selado = guardado.segredos[0].selado
    assert corpo["segredo"].encode() not in selado
    cofre = Cofre(settings.secret_key.get_secret_value().encode(), PROPOSITO_SEGREDOS)
    assert formatar_segredo(cofre.abrir(selado, vinculo=corpo["id"])) == corpo["segredo"]


def test_a_rotation_keeps_the_old_secret_for_the_overlap_and_a_removal_is_final(
    api: tuple[Settings, TestClient],
) -> None:
    settings, cliente = api
    auth = _criar_token(settings, cliente)
    id_ = cliente.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:9/wh", "orgao": "1"}, headers=auth
    ).json()["id"]

    rotacao = cliente.post(f"/api/v1/webhooks/{id_}/segredo", headers=auth)

    assert rotacao.status_code == 201
    segredos = cliente.get(f"/api/v1/webhooks/{id_}", headers=auth).json()["segredos"]
    assert [s["expira_em"] is None for s in segredos] == [True, False]
    guardado = ler_webhooks(settings.kafka)[id_]
    sobreposicao = guardado.segredos[1].expira_em - guardado.segredos[0].criado_em  # type: ignore[operator]
    assert abs(sobreposicao - timedelta(hours=settings.webhooks.sobreposicao_segredo_h)) < timedelta(
        seconds=5
    )

    assert cliente.delete(f"/api/v1/webhooks/{id_}", headers=auth).status_code == 204
    assert cliente.get(f"/api/v1/webhooks/{id_}", headers=auth).status_code == 404
    assert cliente.post(f"/api/v1/webhooks/{id_}/segredo", headers=auth).status_code == 404
    assert id_ not in ler_webhooks(settings.kafka)


def test_a_revoked_token_is_refused_and_the_list_never_shows_the_contact(
    api: tuple[Settings, TestClient],
) -> None:
    settings, cliente = api
    auth = _criar_token(settings, cliente)
    id_ = auth["Authorization"].split("_")[1]

    revogacao = run_cli(settings, "integradores", "token", "revoke", id_)

    assert revogacao.returncode == 0, revogacao.stderr
    assert "revogado" in revogacao.stdout
    eventually(
        lambda: cliente.get("/api/v1/webhooks", headers=auth).status_code == 401,
        timeout=20,
        what="the revocation to reach the API",
    )
    lista = run_cli(settings, "integradores", "token", "list")
    assert "1 tokens, 0 ativos" in lista.stdout and "Redação" in lista.stdout
    assert EMAIL not in lista.stdout + lista.stderr
    # An agency token is no integrator token.
    agencia = run_cli(settings, "agencias", "token", "create", "26000")
    assert (
        cliente.get(
            "/api/v1/webhooks", headers={"Authorization": f"Bearer {agencia.stdout.strip()}"}
        ).status_code
        == 401
    )


def test_the_cli_refuses_a_bad_contact_address(api: tuple[Settings, TestClient]) -> None:
    settings, _cliente = api
    resultado = run_cli(settings, "integradores", "token", "create", "X", "--email", "sem-arroba")
    assert resultado.returncode == 2 and "e-mail de contato inválido" in resultado.stderr
