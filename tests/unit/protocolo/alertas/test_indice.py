"""The candidate index never loses a match: filing searches by anchor gives what evaluating every
search gives, and evaluates only a few of them per processo."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from protocolo.alertas.casamento import casa, distancia_limitada
from protocolo.alertas.consulta import ConsultaAlerta, Termo, TipoTermo, consulta_de_json
from protocolo.alertas.documento import analisar_documento
from protocolo.alertas.indice import Casador, delecoes

PALAVRAS = [
    "licitação",
    "licitacao",
    "licitaçoes",
    "aposentadoria",
    "aposentadorai",
    "pensão",
    "de",
    "não",
    "Silva",
]
PALAVRAS += ["silvia", "material", "escritório", "lei", "12.527", "Souza", "ao", "erário", "eraio"]


def _documento(assunto: str, nome: str, *, orgao: str = "26000", publico: bool = True) -> dict[str, Any]:
    return {
        "nup": f"{abs(hash((assunto, nome, orgao))) % 10**17:017d}",
        "publico": publico,
        "tipo": "PROCESSO",
        "situacao": "EM_TRAMITACAO",
        "assunto": assunto,
        "interessados": [{"nome": nome, "documento_hash": "h" + nome[:3]}],
        "orgaos": [orgao],
        "ano": 2024,
        "autuado_em": datetime(2024, 5, 1, tzinfo=UTC).isoformat(),
        "atualizado_em": datetime(2024, 5, 2, tzinfo=UTC).isoformat(),
        "movimentado_em": ["2024-05-01T12:00:00-03:00"],
    }


_termo = st.builds(lambda p: Termo(TipoTermo.PALAVRA, texto=p), st.sampled_from(PALAVRAS)) | st.builds(
    lambda a, b: Termo(TipoTermo.FRASE, texto=f"{a} {b}"),
    st.sampled_from(PALAVRAS),
    st.sampled_from(PALAVRAS),
)
_consulta = st.builds(
    ConsultaAlerta,
    grupos=st.lists(st.lists(_termo, min_size=1, max_size=2).map(tuple), max_size=2).map(tuple),
    interessado=st.lists(st.sampled_from(PALAVRAS), max_size=1).map(tuple),
    orgao=st.sampled_from([None, "26000", "23000"]),
)
_doc = st.builds(
    lambda ws, n, o, p: _documento(" ".join(ws), n, orgao=o, publico=p),
    st.lists(st.sampled_from(PALAVRAS), min_size=1, max_size=6),
    st.sampled_from(["Maria Silva", "José Souza", "Silvia Lima"]),
    st.sampled_from(["26000", "23000"]),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_consulta, min_size=1, max_size=8), _doc)
def test_indexed_matching_equals_evaluating_every_search(
    consultas: list[ConsultaAlerta], bruto: dict[str, Any]
) -> None:
    casador = Casador()
    for n, consulta in enumerate(consultas):
        casador.adicionar(str(n), consulta)
    documento = analisar_documento(bruto)
    esperado = {str(n) for n, c in enumerate(consultas) if casa(c, documento)}
    assert casador.casar(documento) == esperado


def test_a_processo_is_checked_against_candidates_only() -> None:
    casador = Casador()
    for n in range(1_000):
        casador.adicionar(
            f"a{n}", ConsultaAlerta(grupos=((Termo(TipoTermo.PALAVRA, texto=f"palavra{n}x"),),))
        )
    casador.adicionar("lic", ConsultaAlerta(grupos=((Termo(TipoTermo.PALAVRA, texto="licitação"),),)))
    documento = analisar_documento(_documento("Licitações de material", "Maria Silva"))
    assert len(casador.candidatos(documento)) < 10
    assert casador.casar(documento) == {"lic"}


def test_removed_searches_match_nothing() -> None:
    casador = Casador()
    casador.adicionar("a", ConsultaAlerta(orgao="26000"))
    casador.remover("a")
    assert casador.casar(analisar_documento(_documento("x", "Maria Silva"))) == set()
    assert len(casador) == 0


def test_non_public_processos_never_match() -> None:
    casador = Casador()
    casador.adicionar("todos", ConsultaAlerta())
    assert casador.casar(analisar_documento(_documento("x", "Maria Silva", publico=False))) == set()
    assert casador.casar(analisar_documento(_documento("x", "Maria Silva"))) == {"todos"}


def test_fuzzy_words_share_a_deletion_key() -> None:
    for a, b in [("licitacao", "licitcao"), ("aposentadoria", "aposentadorai"), ("silva", "silvia")]:
        assert distancia_limitada(a, b, 2)
        assert delecoes(a, 2) & delecoes(b, 2)


def test_a_query_survives_its_json_round_trip() -> None:
    consulta = ConsultaAlerta(
        grupos=(
            (
                Termo(
                    TipoTermo.DATA,
                    texto="2024",
                    inicio="2024-01-01T00:00:00-03:00",
                    fim="2025-01-01T00:00:00-03:00",
                ),
            ),
        ),
        interessado=("Silva",),
        documento_hash="abc",
        ano=2024,
    )
    assert consulta_de_json(consulta.canonica()) == consulta
