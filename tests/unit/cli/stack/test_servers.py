"""The local servers' command lines (cli.stack.servers)."""

from __future__ import annotations

from cli.stack.servers import argv_kafka


def _opcao(argv: list[str], nome: str) -> str:
    return argv[argv.index(nome) + 1]


def test_the_broker_advertises_its_own_address_by_default() -> None:
    argv = argv_kafka("127.0.0.1", 9092)
    assert (
        _opcao(argv, "--listener-url") == _opcao(argv, "--advertised-listener-url") == "tcp://127.0.0.1:9092"
    )
    assert _opcao(argv, "--storage-engine") == "memory://tansu/"


def test_the_broker_advertises_the_address_clients_reach_it_through() -> None:
    argv = argv_kafka("127.0.0.1", 9092, anunciado="127.0.0.1:9443")
    assert _opcao(argv, "--listener-url") == "tcp://127.0.0.1:9092"
    assert _opcao(argv, "--advertised-listener-url") == "tcp://127.0.0.1:9443"
