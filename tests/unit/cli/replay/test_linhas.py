"""The replay's topics and filters (cli/replay/linhas.py): aliases, record names, filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cli.replay.linhas import Campos, Filtro, TopicoDesconhecido, campos_de, resolver_topico
from protocolo.avro import catalogo_padrao
from protocolo.nup import gerar_nup
from protocolo.registros import dead_letter_record
from protocolo.settings import TopicSettings


def test_aliases_and_topic_names_resolve_to_their_record() -> None:
    topicos = TopicSettings()
    assert resolver_topico("eventos", topicos) == (topicos.eventos, "evento")
    assert resolver_topico("dlq", topicos) == (topicos.dlq, "dead_letter")
    assert resolver_topico(topicos.dlq_indexacao, topicos) == (topicos.dlq_indexacao, "dead_letter")
    assert resolver_topico(topicos.processos, topicos) == (topicos.processos, "processo")
    with pytest.raises(TopicoDesconhecido, match="tópico desconhecido"):
        resolver_topico("outro", topicos)


NUP = gerar_nup(unidade=23037, sequencial=1462, ano=2021)


@pytest.mark.parametrize(
    ("filtro", "aceita"),
    [
        (Filtro(), True),
        (Filtro(orgao="23000"), True),
        (Filtro(orgao="26000"), False),
        (Filtro(nup_digitos=NUP.digitos), True),
        (Filtro(nup_digitos="00000000000000000"), False),
        (Filtro(operacao="envio"), True),
        (Filtro(orgao="23000", operacao="RECEBIMENTO"), False),
    ],
)
def test_filters_look_at_orgao_nup_in_any_format_and_operacao(filtro: Filtro, aceita: bool) -> None:
    assert filtro.aceita(Campos(("23000",), NUP.formatado, "ENVIO")) is aceita


def test_a_dead_letter_is_filtered_by_the_event_it_holds_or_by_its_key() -> None:
    catalogo = catalogo_padrao()
    evento = {
        "id": "x",
        "orgao": "23000",
        "nup": NUP.formatado,
        "tipo": "PROCESSO",
        "operacao": "AUTUACAO",
        "ocorrido_em": datetime(2024, 1, 1, tzinfo=UTC),
        "nivel_acesso": "PUBLICO",
    }
    comum = {"codigo": "EVENTO_INVALIDO", "motivo": "m", "topico": "t", "particao": 0, "offset": 1}
    legivel = dead_letter_record(**comum, chave=NUP.digitos.encode(), valor=catalogo.encode("evento", evento))
    assert campos_de(catalogo, "dead_letter", legivel) == Campos(("23000",), NUP.formatado, "AUTUACAO")
    corrompida = dead_letter_record(**comum, chave=NUP.digitos.encode(), valor=b"lixo")
    assert campos_de(catalogo, "dead_letter", corrompida) == Campos(nup=NUP.digitos)
