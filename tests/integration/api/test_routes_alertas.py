"""POST /api/v1/alertas, the portal's alert form and the link pages, against the real broker.

What the API writes on the alertas topic is read back raw: the key reveals neither the search nor
the address, and a CPF never travels in clear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from protocolo.alertas.topico import decodificar_alerta
from protocolo.leitura import ler_ate_o_fim
from protocolo.links_inscricao import AcaoLink, assinar_link
from protocolo.settings import InscricaoSettings, Settings
from tests.fixtures.busca import CPF, CPF_PONTUADO
from tests.fixtures.espera import eventually


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    return settings_factory(inscricao=InscricaoSettings(por_email=2, por_ip=50))


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def _mensagens(settings: Settings) -> list[tuple[bytes, bytes | None]]:
    return [(m.key() or b"", m.value()) for m in ler_ate_o_fim(settings.kafka, settings.kafka.topics.alertas)]


def _registros(settings: Settings) -> dict[str, dict[str, Any] | None]:
    return {k.decode(): (decodificar_alerta(v) if v else None) for k, v in _mensagens(settings)}


def test_an_alert_request_is_accepted_and_recorded_pending(api: TestClient, settings: Settings) -> None:
    corpo = {"email": "Jornalista@Example.com", "q": "licitação", "orgao": "25000", "frequencia": "imediato"}
    resposta = api.post("/api/v1/alertas", json=corpo)
    assert resposta.status_code == 202, resposta.text
    assert "jornalista" not in resposta.text.lower()
    (registro,) = eventually(lambda: list(_registros(settings).values()), what="the alert record")
    assert registro is not None
    assert registro["estado"] == "PENDENTE"
    assert registro["email"] == "jornalista@example.com"
    assert registro["frequencia"] == "IMEDIATO"
    assert registro["movimentos"] is False
    assert "licitação" in registro["descricao"] and "Ministério" in registro["descricao"]
    ((chave, _),) = _mensagens(settings)
    assert re.fullmatch(rb"k0-[0-9a-f]{64}", chave), chave  # the keyed hash, naming its key
    assert b"example" not in chave and b"licita" not in chave


def test_the_answer_is_the_same_for_a_known_address(api: TestClient, settings: Settings) -> None:
    corpo = {"email": "repete@example.com", "q": "pensão"}
    primeira = api.post("/api/v1/alertas", json=corpo)
    ((chave, _),) = eventually(lambda: _mensagens(settings), what="the first record")
    vivos = api.app.state.recursos.alertas  # type: ignore[attr-defined]
    eventually(lambda: vivos.buscar(chave.decode()), what="the API's view of the alert")
    segunda = api.post("/api/v1/alertas", json=corpo)
    assert (primeira.status_code, primeira.json()) == (segunda.status_code, segunda.json())
    # Within the resend window the same request writes nothing more: one confirmation e-mail.
    assert len(_mensagens(settings)) == 1


def test_bad_requests_are_refused_in_portuguese(api: TestClient) -> None:
    assert api.post("/api/v1/alertas", json={"email": "não-é-email", "q": "x"}).status_code == 422
    resposta = api.post("/api/v1/alertas", json={"email": "a@example.com", "frequencia": "mensal"})
    assert resposta.status_code == 422
    resposta = api.post("/api/v1/alertas", json={"email": "a@example.com", "documento": "111.111.111-12"})
    assert resposta.status_code == 422 and "CPF" in resposta.json()["detail"]
    assert "111" not in resposta.text


def test_requests_for_one_address_are_rate_limited(api: TestClient) -> None:
    codigos = [
        api.post("/api/v1/alertas", json={"email": "muito@example.com", "q": f"palavra{n}"}).status_code
        for n in range(4)
    ]
    assert codigos[:2] == [202, 202] and codigos[-1] == 429


def test_an_alert_on_a_cpf_keeps_only_its_hash(api: TestClient, settings: Settings) -> None:
    assert (
        api.post("/api/v1/alertas", json={"email": "adv@example.com", "documento": CPF_PONTUADO}).status_code
        == 202
    )
    assert (
        api.post("/api/v1/alertas", json={"email": "adv@example.com", "q": f"pensão {CPF}"}).status_code
        == 202
    )
    mensagens = eventually(
        lambda: len(_mensagens(settings)) == 2 and _mensagens(settings), what="two records"
    )
    for chave, valor in mensagens:
        assert valor is not None
        for bruto in (chave, valor):
            assert CPF.encode() not in bruto and CPF_PONTUADO.encode() not in bruto
            assert CPF[3:9].encode() not in bruto.replace(b".", b"") or b"***" in bruto
    descricoes = sorted(r["descricao"] for r in _registros(settings).values() if r)
    assert all("***.982.247-**" in d for d in descricoes)


def test_the_links_confirm_and_cancel_the_alert(api: TestClient, settings: Settings) -> None:
    assert api.post("/api/v1/alertas", json={"email": "link@example.com", "q": "diárias"}).status_code == 202
    chave = eventually(lambda: next(iter(_registros(settings)), None), what="the alert")
    segredo = settings.chaveiro.atual  # as the alert sender signs
    confirmar = assinar_link(segredo, AcaoLink.CONFIRMAR, chave, datetime.now(UTC) + timedelta(hours=1))
    pagina = api.get(f"/alertas/confirmar/{confirmar}")
    assert pagina.status_code == 200 and "Confirmar alerta" in pagina.text and "diárias" in pagina.text
    assert (_registros(settings)[chave] or {}).get("estado") == "PENDENTE"  # a GET changes nothing
    assert "Alerta confirmado" in api.post(f"/alertas/confirmar/{confirmar}").text
    eventually(lambda: (_registros(settings)[chave] or {}).get("estado") == "CONFIRMADA", what="CONFIRMADA")
    cancelar = assinar_link(segredo, AcaoLink.CANCELAR, chave, None)
    resposta = api.post(f"/alertas/cancelar/{cancelar}", data={"List-Unsubscribe": "One-Click"})
    assert resposta.status_code == 200 and "Alerta cancelado" in resposta.text
    eventually(lambda: _registros(settings)[chave] is None, what="the tombstone")
    adulterado = confirmar[:-1] + ("1" if confirmar.endswith("0") else "0")
    assert api.get(f"/alertas/confirmar/{adulterado}").status_code == 400


def test_the_portal_form_asks_for_the_alert(api: TestClient, settings: Settings) -> None:
    dados = {
        "q": "aposentadoria",
        "situacao": "EM_TRAMITACAO",
        "email": "form@example.com",
        "frequencia": "semanal",
    }
    resposta = api.post("/alertas", data={**dados, "movimentos": "sim"})
    assert resposta.status_code == 200 and "Confirme o alerta" in resposta.text
    assert "form@example.com" not in resposta.text
    (registro,) = eventually(lambda: list(_registros(settings).values()), what="the alert")
    assert registro is not None and registro["frequencia"] == "SEMANAL" and registro["movimentos"] is True
    assert api.post("/alertas", data={**dados, "email": "x"}).status_code == 422
