"""The Atom feed (RFC 4287) of a processo's public movements. Pure: a ProcessoPublic and its newest
movements in, XML out.

Ids are `urn:uuid:` URIs derived (UUID v5) from the NUP and from each movement's identity, so a
reader sees the same entry id on every fetch and never shows a movement twice.
"""

from __future__ import annotations

__all__ = ["ATOM", "feed_atom"]

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from api.schemas import MovimentoPublic, ProcessoPublic, UnidadePublic
from protocolo.model import Operacao

ATOM = "http://www.w3.org/2005/Atom"
_ESPACO = uuid.uuid5(uuid.NAMESPACE_URL, "https://protocolo.gov.br/atom")
ET.register_namespace("", ATOM)


def _urn(*partes: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_ESPACO, '/'.join(partes))}"


def _data(valor: datetime) -> str:
    return valor.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _unidade(unidade: UnidadePublic | None) -> str | None:
    if unidade is None:
        return None
    if unidade.nome and unidade.sigla:
        return f"{unidade.nome} ({unidade.sigla})"
    return unidade.nome or unidade.sigla or unidade.codigo


def _operacao(codigo: str) -> str:
    try:
        return Operacao(codigo).descricao
    except ValueError:
        return codigo


def _resumo(movimento: MovimentoPublic) -> str:
    partes = [_operacao(movimento.operacao)]
    origem, destino = _unidade(movimento.unidade_origem), _unidade(movimento.unidade_destino)
    if origem:
        partes.append(f"de {origem}")
    if destino:
        partes.append(f"para {destino}")
    texto = " ".join(partes)
    if movimento.orgao_nome:
        texto += f" — {movimento.orgao_nome}"
    if movimento.observacao:
        texto += f". {movimento.observacao}"
    return texto


def _sub(pai: ET.Element, nome: str, texto: str | None = None, **atributos: str) -> ET.Element:
    elemento = ET.SubElement(pai, f"{{{ATOM}}}{nome}", atributos)
    if texto is not None:
        elemento.text = texto
    return elemento


def feed_atom(processo: ProcessoPublic, movimentos: Iterable[MovimentoPublic], *, base_url: str) -> bytes:
    """The feed: newest movement first, one entry per movement given (the newest N), UTF-8 XML."""
    base = base_url.rstrip("/")
    pagina = f"{base}/processos/{processo.nup_formatado}"
    movimentos = sorted(movimentos, key=lambda m: (m.ocorrido_em, m.id), reverse=True)
    atualizado = processo.atualizado_em or (movimentos[0].ocorrido_em if movimentos else None)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "pt-BR"})
    _sub(feed, "id", _urn("processo", processo.nup))
    _sub(feed, "title", f"Processo {processo.nup_formatado}")
    if processo.assunto:
        _sub(feed, "subtitle", processo.assunto)
    _sub(feed, "updated", _data(atualizado or datetime(1970, 1, 1, tzinfo=UTC)))
    autor = _sub(feed, "author")
    _sub(autor, "name", "Protocolo Integrado")
    _sub(autor, "uri", base)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{pagina}/feed.atom")
    _sub(feed, "link", rel="alternate", type="text/html", href=pagina)
    for movimento in movimentos:
        entrada = _sub(feed, "entry")
        _sub(entrada, "id", _urn("movimento", processo.nup, movimento.id))
        _sub(entrada, "title", f"{_operacao(movimento.operacao)} em {movimento.ocorrido_em:%d/%m/%Y}")
        _sub(entrada, "updated", _data(movimento.ocorrido_em))
        _sub(entrada, "link", rel="alternate", type="text/html", href=pagina)
        _sub(entrada, "summary", _resumo(movimento))
    corpo: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return corpo
