"""A replay batch: decoded, filtered, encoded, unreadable ones reported (cli/replay/lotes.py)."""

from __future__ import annotations

from cli.replay.linhas import Filtro
from cli.replay.lotes import processar_lote
from protocolo.avro import catalogo_padrao
from protocolo.nup import gerar_nup
from protocolo.registros import evento_mensagem
from protocolo.validation import evento_from_json

NUP = gerar_nup(unidade=23037, sequencial=1462, ano=2021)


def _valor(n: int, orgao: str) -> bytes:
    dados = {
        "id": f"lt-{n}",
        "orgao": orgao,
        "nup": NUP.formatado,
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "unidade_origem": {"codigo": "2300001"},
        "unidade_destino": {"codigo": "2300002"},
        "ocorrido_em": "2021-03-02T10:00:00-03:00",
        "nivel_acesso": "PUBLICO",
    }
    return evento_mensagem(catalogo_padrao(), evento_from_json(dados))[1]


def test_a_batch_keeps_what_the_filter_accepts_and_reports_what_it_cannot_read() -> None:
    itens = [
        (0, 10, 1_000, _valor(1, "23000")),
        (0, 11, 1_001, b"not avro"),
        (1, 5, 1_002, _valor(2, "26000")),
        (1, 6, 1_003, None),
        (0, 12, 1_004, _valor(3, "23000")),
    ]

    resultado = processar_lote(
        itens,
        catalogo=catalogo_padrao(),
        registro="evento",
        topico="t",
        filtro=Filtro(orgao="23000"),
        codificar=lambda linhas: [(x["kafka_particao"], x["kafka_offset"], x["id"]) for x in linhas],
    )

    assert resultado.carga == [(0, 10, "lt-1"), (0, 12, "lt-3")]
    assert (resultado.linhas, resultado.filtradas) == (2, 1)
    assert [(p, o) for p, o, _motivo in resultado.ilegiveis] == [(0, 11), (1, 6)]
    assert all(motivo.startswith("MENSAGEM_CORROMPIDA") for _p, _o, motivo in resultado.ilegiveis)
