"""Protocolo Integrado XML: the ListaDocumentos agencies send to PI's web service, one event per item.

The structure, as mod-sei-protocolo-integrado builds it (in this order; optional parts in brackets):

    <ListaDocumentos>
      <Documento>
        <Protocolo>23037001462202165</Protocolo>            NUP, usually digits only
        <DataHoraProducao>2021-03-02T00:00:00-03:00</DataHoraProducao>
        <Especie>Processo</Especie>
        <Assunto>Tipo do processo - especificação</Assunto>
        [<ListaProtocolosRelacionados><ProtocoloRelacionado>…</ProtocoloRelacionado>…</…>]
        [<ListaInteressados><Interessado><NomeInteressado>…</NomeInteressado></Interessado>…</…>]
        <Historico>
          <ItemHistorico>
            <DataHoraOperacao>2021-03-02T09:15:00-03:00</DataHoraOperacao>
            <UnidadeOperacao>Unidade/SIGLA-SUPERIOR/…/Órgão</UnidadeOperacao>
            <Operacao>Processo público gerado</Operacao>
          </ItemHistorico>…
        </Historico>
      </Documento>…
    </ListaDocumentos>

xml_pi_eventos.py says how an item becomes an event. A single `Documento` as the root (what the SEI module
keeps per package) and a SOAP envelope around ListaDocumentos (prefixed elements, skipped) are accepted.
DataHoraProducao and ListaProtocolosRelacionados carry no movement and are read but not published.

Streaming: expat is fed 64 KiB at a time and each item becomes a record as soon as it closes; only the
current Documento's header is kept, so memory stays constant whatever the file size. Items are published
with what their Documento said before Historico, so Historico must be the Documento's last element (it is,
in what the SEI module writes); anything after it is reported at its line.

Errors: problems of a Documento found before its Historico reject each of its items; problems of an item
reject that item; both name the element and the line. Malformed XML ends the reading with a record naming
line and column. A DOCTYPE is refused: the format needs no DTD, and DTD entities are how XML bombs and
external entity reads work, so no entity is ever expanded.
"""

from __future__ import annotations

__all__ = ["ler_itens", "ler_xml_pi"]

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from xml.parsers import expat

from producers.formatos.abertura import Abrir, abrir_binario
from producers.formatos.evento_lido import EventoLido
from producers.formatos.xml_pi_eventos import evento_lido_do_item
from producers.formatos.xml_pi_handlers import ItemLido, Recusado, XmlPiHandlers
from protocolo.errors import Violation
from protocolo.model import NivelAcesso

_BLOCO = 64 * 1024
_ERROS = {
    expat.errors.XML_ERROR_SYNTAX: "erro de sintaxe",
    expat.errors.XML_ERROR_NO_ELEMENTS: "o arquivo acabou antes de fechar os elementos (ou está vazio)",
    expat.errors.XML_ERROR_INVALID_TOKEN: "marcação ou caractere inválido",
    expat.errors.XML_ERROR_UNCLOSED_TOKEN: "marcação não fechada",
    expat.errors.XML_ERROR_TAG_MISMATCH: "a tag de fechamento não corresponde à de abertura",
    expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "conteúdo depois do elemento raiz",
    expat.errors.XML_ERROR_UNDEFINED_ENTITY: "entidade não definida",
    expat.errors.XML_ERROR_BAD_CHAR_REF: "referência a caractere inválido",
    expat.errors.XML_ERROR_INCORRECT_ENCODING: "o texto não está na codificação declarada",
    expat.errors.XML_ERROR_UNKNOWN_ENCODING: "codificação desconhecida",
}


def _erro_xml(exc: expat.ExpatError) -> EventoLido:
    coluna = exc.offset + 1
    original = expat.errors.messages[exc.code]
    local = f"linha {exc.lineno}, coluna {coluna}"
    motivo = f"{_ERROS.get(original, f'XML inválido ({original})')} ({local})"
    return EventoLido(exc.lineno, local, None, (Violation("xml", motivo),))


def ler_itens(caminho: Path, *, abrir: Abrir = abrir_binario) -> Iterator[EventoLido | ItemLido]:
    """The items of a file as read, each with its Documento, and the records of what rejects no item."""
    handlers = XmlPiHandlers()
    with abrir(caminho) as arquivo:
        try:
            while bloco := arquivo.read(_BLOCO):
                handlers.parser.Parse(bloco, False)
                yield from handlers.esvaziar()
            handlers.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            yield from handlers.esvaziar()
            yield _erro_xml(exc)
            return
        except Recusado as exc:
            yield from handlers.esvaziar()
            linha = handlers.parser.CurrentLineNumber
            yield EventoLido(linha, f"linha {linha}", None, (Violation("xml", str(exc)),))
            return
    yield from handlers.esvaziar()
    if handlers.documentos == 0:
        yield EventoLido(1, "arquivo", None, (Violation("Documento", "nenhum <Documento> no arquivo"),))


def ler_xml_pi(
    caminho: Path,
    *,
    orgao: str,
    nivel_acesso_padrao: NivelAcesso | None = None,
    agora: datetime | None = None,
    abrir: Abrir = abrir_binario,
) -> Iterator[EventoLido]:
    """Stream a Protocolo Integrado XML file in constant memory, one record per ItemHistorico."""
    nivel = nivel_acesso_padrao or NivelAcesso.PUBLICO
    for lido in ler_itens(caminho, abrir=abrir):
        if isinstance(lido, EventoLido):
            yield lido
        else:
            yield evento_lido_do_item(*lido, orgao=orgao, nivel_acesso_padrao=nivel, agora=agora)
