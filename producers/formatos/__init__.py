"""Reading event files: JSON Lines, CSV and Protocolo Integrado XML, each record with where it came from.

    ler_arquivo(caminho)                       the format from the extension: .jsonl/.ndjson, .csv, .xml
    ler_arquivo(caminho, formato=Formato.CSV)  or chosen
    ler_arquivo(caminho, abrir=contador)       counting the bytes read, for a progress bar (abertura.py)

Every reader streams in constant memory and yields one EventoLido per event found: the valid Evento, or every
violation, named after the file's own fields (column, XML element) and located ("linha 12",
"Documento 3 (NUP …), ItemHistorico 2, linha 57"). Nothing in a file raises; only a call the readers
cannot serve does (FormatoError): an unknown extension, or XML without the órgão that publishes it.
"""

from __future__ import annotations

__all__ = [
    "ContadorDeBytes",
    "Formato",
    "FormatoError",
    "EventoLido",
    "formato_do_caminho",
    "ler_arquivo",
]

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from producers.formatos.abertura import Abrir, ContadorDeBytes, abrir_binario
from producers.formatos.evento_lido import EventoLido
from producers.formatos.exceptions import FormatoError
from producers.formatos.jsonl import ler_jsonl
from producers.formatos.planilha import ler_csv
from producers.formatos.xml_pi import ler_xml_pi
from protocolo.model import NivelAcesso


class Formato(StrEnum):
    """A file format the readers know."""

    JSONL = "jsonl"
    CSV = "csv"
    XML_PI = "xml"  # Protocolo Integrado's ListaDocumentos


_EXTENSOES = {".jsonl": Formato.JSONL, ".ndjson": Formato.JSONL, ".csv": Formato.CSV, ".xml": Formato.XML_PI}


def formato_do_caminho(caminho: Path) -> Formato:
    """The format a file's extension names; FormatoError for any other."""
    formato = _EXTENSOES.get(caminho.suffix.lower())
    if formato is None:
        aceitas = ", ".join(_EXTENSOES)
        raise FormatoError(f"extensão '{caminho.suffix}' desconhecida em {caminho.name}; aceitas: {aceitas}")
    return formato


def ler_arquivo(
    caminho: Path,
    *,
    formato: Formato | None = None,
    orgao: str | None = None,
    nivel_acesso_padrao: NivelAcesso | None = None,
    agora: datetime | None = None,
    abrir: Abrir = abrir_binario,
) -> Iterator[EventoLido]:
    """Stream the records of an event file.

    Args:
        formato: overrides the extension.
        orgao: the publishing órgão; required for XML (the format does not carry it), and for JSON Lines
            and CSV used only where a record leaves `orgao` out.
        nivel_acesso_padrao: for XML the least restrictive level an event may get (default PUBLICO); for
            JSON Lines and CSV used only where a record leaves `nivel_acesso` out.
        agora: "now" for the contract's no-future-dates rule (tests).
        abrir: opens the file (binary); a ContadorDeBytes counts what was read, for a progress bar.
    """
    escolhido = formato or formato_do_caminho(caminho)  # raises now, not at the first next()
    if escolhido is Formato.XML_PI:
        if not orgao:
            raise FormatoError(
                "o XML do Protocolo Integrado não informa o órgão: indique o código do órgão que publica"
            )
        return ler_xml_pi(
            caminho, orgao=orgao, nivel_acesso_padrao=nivel_acesso_padrao, agora=agora, abrir=abrir
        )
    ler = ler_csv if escolhido is Formato.CSV else ler_jsonl
    return ler(caminho, orgao=orgao, nivel_acesso_padrao=nivel_acesso_padrao, agora=agora, abrir=abrir)
