"""The expat handlers behind xml_pi: the open Documento and ItemHistorico, each closed item queued.

Only the current Documento's header and item are kept; xml_pi drains the queue after every block it feeds.
"""

from __future__ import annotations

__all__ = ["ItemLido", "XmlPiHandlers", "Recusado"]

from xml.parsers import expat

from producers.formatos.evento_lido import EventoLido
from producers.formatos.xml_pi_eventos import DocumentoPI, ItemPI
from protocolo.errors import Violation

_MAX_TEXTO = 100_000  # longer text is cut here; the contract then reports it as too long
_FILHOS: dict[str, frozenset[str]] = {
    "Documento": frozenset(
        {"Protocolo", "DataHoraProducao", "Especie", "Assunto", "ListaProtocolosRelacionados"}
        | {"ListaInteressados", "Historico"}
    ),
    "ListaProtocolosRelacionados": frozenset({"ProtocoloRelacionado"}),
    "ListaInteressados": frozenset({"Interessado"}),
    "Interessado": frozenset({"NomeInteressado"}),
    "Historico": frozenset({"ItemHistorico"}),
    "ItemHistorico": frozenset({"DataHoraOperacao", "UnidadeOperacao", "Operacao"}),
}
_FOLHAS = frozenset(
    {"Protocolo", "DataHoraProducao", "Especie", "Assunto", "ProtocoloRelacionado", "NomeInteressado"}
    | {"DataHoraOperacao", "UnidadeOperacao", "Operacao"}
)
_NENHUM: frozenset[str] = frozenset()
# An item as read, with its Documento; xml_pi_eventos turns it into a record.
ItemLido = tuple[DocumentoPI, ItemPI]


class Recusado(Exception):
    """Stops the parser from inside a handler: the file uses something the reader refuses."""


class XmlPiHandlers:
    """expat handlers: keep the open Documento and ItemHistorico, queue each closed item."""

    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.ordered_attributes = True
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.StartElementHandler = self._inicio
        self.parser.EndElementHandler = self._fim
        self.parser.CharacterDataHandler = self._texto
        self.pilha: list[str] = []
        self.ignorando = 0  # depth inside an element being skipped
        self.documentos = 0
        self.documento: DocumentoPI | None = None
        self.item: ItemPI | None = None
        self.interessado: str | None = None
        self.texto: str | None = None  # the open leaf's text
        self.linha_folha = 0
        self.saida: list[EventoLido | ItemLido] = []

    def esvaziar(self) -> list[EventoLido | ItemLido]:
        """Hand over what closed since the last call."""
        saida, self.saida = self.saida, []
        return saida

    def _doctype(self, *_: object) -> None:
        raise Recusado("DOCTYPE não é aceito: o formato não usa DTD nem entidades")

    def _avulso(self, linha: int, violacao: Violation) -> None:
        """A problem that rejects no item already read: a record of its own."""
        onde = f"{self.documento.descricao}, linha {linha}" if self.documento else f"linha {linha}"
        self.saida.append(EventoLido(linha, onde, None, (violacao,)))

    def _falha_documento(self, linha: int, violacao: Violation) -> None:
        documento = self.documento
        assert documento is not None
        if self.item is not None:
            self.item.violacoes += (violacao,)
        elif documento.historico_iniciado:
            self._avulso(linha, violacao)
        else:
            documento.violacoes.append(violacao)

    def _inicio(self, nome: str, _atributos: list[str]) -> None:
        if self.ignorando:
            self.ignorando += 1
            return
        linha = self.parser.CurrentLineNumber
        documento = self.documento
        if documento is None:
            if nome == "Documento":
                self.documentos += 1
                self.documento = DocumentoPI(self.documentos, linha)
            elif nome != "ListaDocumentos" and ":" not in nome:
                motivo = "elemento desconhecido; esperado ListaDocumentos ou Documento"
                self._avulso(linha, Violation(nome, motivo))
                self.ignorando = 1
                return
            self.pilha.append(nome)
            return
        pai = self.pilha[-1]
        if nome not in _FILHOS.get(pai, _NENHUM):
            self._falha_documento(linha, Violation(nome, f"elemento desconhecido em <{pai}> (linha {linha})"))
            self.ignorando = 1
            return
        if nome in _FOLHAS:
            self.texto, self.linha_folha = "", linha
        elif nome == "ItemHistorico":
            self.item = ItemPI(documento.itens + 1, linha)
        elif nome == "Interessado":
            self.interessado = None
        if pai == "Documento":
            if documento.historico_iniciado and nome != "Historico":
                motivo = "deve vir antes de <Historico>: os itens anteriores já foram lidos sem ele"
                self._avulso(linha, Violation(nome, motivo))
                self.texto, self.ignorando = None, 1
                return
            if nome == "Historico":
                documento.historico_iniciado = True
        self.pilha.append(nome)

    def _texto(self, dados: str) -> None:
        if self.texto is not None and not self.ignorando and len(self.texto) < _MAX_TEXTO:
            self.texto += dados

    def _fim(self, nome: str) -> None:
        if self.ignorando:
            self.ignorando -= 1
            return
        self.pilha.pop()
        documento = self.documento
        if documento is None:
            return
        texto, item = self.texto, self.item
        if texto is not None:
            self.texto = None
            if item is not None and nome not in item.campos:  # the common case, kept short
                item.campos[nome] = texto.strip()
            else:
                self._guardar(nome, texto.strip(), documento)
        elif nome == "Interessado":
            if self.interessado:
                documento.interessados.append(self.interessado)
            else:
                motivo = f"<Interessado> sem <NomeInteressado> (linha {self.parser.CurrentLineNumber})"
                self._falha_documento(self.parser.CurrentLineNumber, Violation("ListaInteressados", motivo))
        elif nome == "ItemHistorico" and item is not None:
            documento.itens += 1
            self.saida.append((documento, item))
            self.item = None
        elif nome == "Documento":
            if documento.itens == 0:
                vazio = Violation("Historico", "o Documento não tem nenhum <ItemHistorico>")
                self._avulso(documento.linha, vazio)
            self.documento = None

    def _guardar(self, nome: str, valor: str, documento: DocumentoPI) -> None:
        if nome == "ProtocoloRelacionado":
            return
        campos = self.item.campos if self.item is not None else documento.campos
        if nome == "NomeInteressado" and self.interessado is None:
            self.interessado = valor
        elif nome in campos or nome == "NomeInteressado":
            repetido = Violation(nome, f"elemento repetido (linha {self.linha_folha})")
            self._falha_documento(self.linha_folha, repetido)
        else:
            campos[nome] = valor
