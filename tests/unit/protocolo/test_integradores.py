"""Integrator tokens: the agencies' pattern with their own prefix; the contact address never in reprs."""

from __future__ import annotations

from datetime import UTC, datetime

from protocolo.avro import catalogo_padrao
from protocolo.credenciais import Credenciais, gerar_credencial
from protocolo.integradores import (
    PREFIXO_INTEGRADOR,
    gerar_integrador,
    integrador_from_avro,
    integrador_to_avro,
)

SEGREDO = b"segredo do servidor"
AGORA = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_an_integrator_token_authenticates_only_among_integrators() -> None:
    integrador, token = gerar_integrador(
        SEGREDO, nome="Redação", email=" Contato@Redacao.Example ", agora=AGORA
    )

    assert token.startswith(f"pin_{integrador.id}_") and integrador.email == "contato@redacao.example"
    assert Credenciais([integrador], prefixo=PREFIXO_INTEGRADOR).autenticar(SEGREDO, token) == integrador
    # The same id and hash under the agencies' prefix do not open the gateway.
    assert Credenciais([integrador]).autenticar(SEGREDO, token) is None


def test_an_agency_token_is_no_integrator_token() -> None:
    credencial, token = gerar_credencial(SEGREDO, orgao="26000", agora=AGORA)
    assert Credenciais([credencial], prefixo=PREFIXO_INTEGRADOR).autenticar(SEGREDO, token) is None


def test_a_revoked_integrator_is_refused() -> None:
    integrador, token = gerar_integrador(SEGREDO, nome="X", email="x@x.example", agora=AGORA)
    revogado = integrador.revogar(AGORA)

    assert not revogado.ativa and revogado.revogar(datetime.now(UTC)).revogada_em == AGORA
    assert Credenciais([revogado], prefixo=PREFIXO_INTEGRADOR).autenticar(SEGREDO, token) is None


def test_the_contact_address_stays_out_of_reprs_and_round_trips_through_avro() -> None:
    integrador, token = gerar_integrador(SEGREDO, nome="X", email="x@x.example", agora=AGORA)
    assert "x@x.example" not in repr(integrador) and token not in repr(integrador)
    catalogo = catalogo_padrao()
    registro = catalogo.decode("integrador", catalogo.encode("integrador", integrador_to_avro(integrador)))
    assert integrador_from_avro(registro) == integrador
