"""Hooks and plugin registration only: every shared fixture and helper lives in tests/fixtures/."""

from __future__ import annotations

from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

pytest_plugins = [
    "tests.fixtures.servidores",
    "tests.fixtures.pipeline",
    "tests.fixtures.lotes",
    "tests.fixtures.eventos",
    "tests.fixtures.notificacoes",
    "tests.fixtures.documentos",
    "tests.fixtures.busca",
    "tests.fixtures.espera",
    "tests.fixtures.cli",
    "tests.fixtures.kafka",
    "tests.fixtures.oraculo",
    "tests.fixtures.trabalhador",
    "tests.fixtures.portal",
    "tests.fixtures.implantacao",
    "tests.fixtures.receptor",
    "tests.fixtures.webhooks",
    "tests.fixtures.tls",
    "tests.fixtures.relay_tls",
    "tests.fixtures.kafka_tls",
    "tests.fixtures.busca_tls",
]

# The suite runs real servers and workers beside the property tests: on a loaded 2-core machine a
# generous example can take longer than Hypothesis' default 200 ms without anything being wrong.
hypothesis_settings.register_profile("protocolo", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("protocolo")
