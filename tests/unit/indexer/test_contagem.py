"""The documents a reindex expects from what it read: one per NUP, the visible movimentos."""

from __future__ import annotations

from indexer.contagem import Contagem
from indexer.documents import Acao

P, M = "i-processos", "i-movimentos"


def _processo(nup: str, versao: int, *, publico: bool = True) -> Acao:
    return Acao(P, nup, {"nup": nup, "versao": versao, "publico": publico}, versao=versao)


def _movimento(mid: str, nup: str, processo_versao: int) -> Acao:
    return Acao(M, mid, {"id": mid, "nup": nup, "processo_versao": processo_versao})


def test_one_processo_document_per_nup_and_one_movimento_per_id() -> None:
    contagem = Contagem()
    contagem.contar([_processo("1", 1), _movimento("a", "1", 1)], indice_processos=P)
    contagem.contar([_processo("1", 2), _movimento("b", "1", 2), _movimento("a", "1", 1)], indice_processos=P)
    contagem.contar([_processo("2", 1)], indice_processos=P)
    assert contagem.esperados() == (2, 2)


def test_a_hidden_processo_keeps_its_tombstone_and_only_the_movimentos_after_it() -> None:
    contagem = Contagem()
    contagem.contar([_movimento("a", "1", 1), _movimento("b", "1", 2)], indice_processos=P)
    contagem.contar([_processo("1", 2, publico=False)], indice_processos=P)
    contagem.contar([_processo("1", 1)], indice_processos=P)  # an older snapshot changes nothing
    contagem.contar([_movimento("c", "1", 3)], indice_processos=P)
    assert contagem.esperados() == (1, 1)


def test_the_same_actions_under_another_processos_index_count_as_movimentos_there() -> None:
    contagem = Contagem()
    contagem.contar([_movimento("a", "1", 1)], indice_processos="alias-processos")
    assert contagem.esperados() == (0, 1)
