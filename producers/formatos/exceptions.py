"""Errors of the file readers, under protocolo's root.

ProtocoloError
├── FormatoError (ValueError)          a file no reader takes, or a reader called without what it needs
└── OperacaoDesconhecida (ValueError)  free text that names no Operacao of the event contract

Problems inside a file are not exceptions: they are violations of the record they belong to.
"""

from __future__ import annotations

__all__ = ["FormatoError", "OperacaoDesconhecida"]

from protocolo.errors import ProtocoloError


class FormatoError(ProtocoloError, ValueError):
    """A file no reader can take (unknown extension) or a reader called without a required argument."""


class OperacaoDesconhecida(ProtocoloError, ValueError):
    """A free-text operation that maps to no Operacao; the message (pt-BR) quotes the text."""
