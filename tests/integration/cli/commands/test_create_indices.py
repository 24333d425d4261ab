"""`protocolo create-indices` on the real search server: templates, versioned indices and aliases, once."""

from __future__ import annotations

from collections.abc import Callable

from indexer.indices import nome_indice
from indexer.mappings import INDICES
from protocolo.search import make_search
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli


def test_installs_the_templates_and_the_aliases_and_is_idempotent(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)
    primeira = run_cli(settings, "create-indices")
    segunda = run_cli(settings, "create-indices")

    assert primeira.returncode == segunda.returncode == 0, primeira.stderr + segunda.stderr
    esperado = [
        f"índice pronto: {settings.search.alias(nome)} -> {nome_indice(settings.search, nome)}"
        for nome in INDICES
    ]
    assert primeira.stdout.splitlines() == segunda.stdout.splitlines() == esperado
    es = make_search(settings.search)
    try:
        for nome in INDICES:
            assert es.indices.exists_index_template(name=settings.search.alias(nome))
            assert list(es.indices.get_alias(name=settings.search.alias(nome))) == [
                nome_indice(settings.search, nome)
            ]
    finally:
        es.close()


def test_an_unreachable_search_server_is_an_error_in_portuguese(
    settings_factory: Callable[..., Settings],
) -> None:
    settings = settings_factory(carregar_referencia_exemplo=False)
    settings.search.url = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.search.request_timeout_s = 2

    resultado = run_cli(settings, "create-indices")

    assert resultado.returncode == 1
    assert "o servidor de busca recusou ou não respondeu" in resultado.stderr
