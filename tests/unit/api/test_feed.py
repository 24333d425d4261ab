"""Specification of the Atom feed of a processo (RFC 4287), read back with a real feed parser."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

import feedparser

from api.feed import ATOM, feed_atom
from api.schemas import MovimentoPublic, ProcessoPublic, UnidadePublic

T0 = datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
PROCESSO = ProcessoPublic(
    nup="23037001462202165",
    nup_formatado="23037.001462/2021-65",
    tipo="PROCESSO",
    orgao="23000",
    situacao="EM_TRAMITACAO",
    assunto="Aquisição de material <urgente> & cia",
    atualizado_em=T0.replace(hour=18),
    versao=2,
)
MOVIMENTOS = [
    MovimentoPublic(id="23000:SEI-1", orgao="23000", operacao="AUTUACAO", ocorrido_em=T0),
    MovimentoPublic(
        id="23000:SEI-2",
        orgao="23000",
        orgao_nome="Ministério da Educação",
        operacao="ENVIO",
        ocorrido_em=T0.replace(hour=18),
        unidade_origem=UnidadePublic(codigo="1", sigla="PROT", nome="Protocolo Central"),
        unidade_destino=UnidadePublic(codigo="2", sigla="CGLIC"),
    ),
]
BASE = "https://protocolo.gov.br"


def test_the_feed_is_valid_atom_with_every_required_element() -> None:
    feed = feedparser.parse(feed_atom(PROCESSO, MOVIMENTOS, base_url=BASE + "/"))

    assert feed.bozo is False, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id.startswith("urn:uuid:")
    assert feed.feed.title == "Processo 23037.001462/2021-65"
    assert feed.feed.updated == "2024-03-05T18:00:00Z"
    assert feed.feed.author_detail.name == "Protocolo Integrado"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"] == f"{BASE}/processos/23037.001462/2021-65/feed.atom"
    assert links["alternate"] == f"{BASE}/processos/23037.001462/2021-65"
    assert [e.title for e in feed.entries] == ["Envio em 05/03/2024", "Autuação em 05/03/2024"]
    envio = feed.entries[0]
    assert envio.id.startswith("urn:uuid:") and envio.updated == "2024-03-05T18:00:00Z"
    assert envio.link == f"{BASE}/processos/23037.001462/2021-65"
    assert envio.summary == "Envio de Protocolo Central (PROT) para CGLIC — Ministério da Educação"


def test_entry_ids_are_stable_and_distinct() -> None:
    uma = feedparser.parse(feed_atom(PROCESSO, MOVIMENTOS, base_url=BASE))
    outra = feedparser.parse(feed_atom(PROCESSO, MOVIMENTOS, base_url="http://127.0.0.1:8000"))

    assert [e.id for e in uma.entries] == [e.id for e in outra.entries]
    assert len({e.id for e in uma.entries} | {uma.feed.id}) == 3


def test_text_is_escaped_as_xml() -> None:
    raiz = ET.fromstring(feed_atom(PROCESSO, MOVIMENTOS, base_url=BASE))

    assert raiz.tag == f"{{{ATOM}}}feed"
    assert raiz.findtext(f"{{{ATOM}}}subtitle") == "Aquisição de material <urgente> & cia"


def test_a_processo_without_movements_is_still_a_valid_feed() -> None:
    vazio = PROCESSO.model_copy(update={"atualizado_em": None})

    feed = feedparser.parse(feed_atom(vazio, [], base_url=BASE))

    assert feed.bozo is False and feed.entries == [] and feed.feed.updated
