"""LGPD: mask CPFs wherever they appear and hash documents for exact search. Pure."""

from __future__ import annotations

__all__ = ["hash_documento", "hashes_documento", "mascarar_cpf", "mascarar_documento", "mascarar_texto"]

import hashlib
import hmac
import re

from protocolo.chaveiro import Chaveiro, Segredo, bytes_de, rotular
from protocolo.documentos import is_cpf, so_digitos

# A CPF written with or without punctuation, not part of a longer number (so CNPJs and NUPs stay
# intact): no digit, or digit and dot, right before or after it. Slashes and hyphens may touch it.
_CPF_NO_TEXTO = re.compile(r"(?<!\d)(?<!\d\.)(\d{3})\.?(\d{3})\.?(\d{3})-?(\d{2})(?!\d|\.\d)")


def mascarar_cpf(digitos: str) -> str:
    """Show only the middle six digits of a CPF: ***.456.789-**."""
    return f"***.{digitos[3:6]}.{digitos[6:9]}-**"


def mascarar_documento(digitos: str) -> str:
    """A CPF masked, a CNPJ in full (company data is public), punctuated."""
    if len(digitos) == 11:
        return mascarar_cpf(digitos)
    return f"{digitos[:2]}.{digitos[2:5]}.{digitos[5:8]}/{digitos[8:12]}-{digitos[12:]}"


def mascarar_texto(texto: str) -> str:
    """Mask every valid CPF found inside free text (names, assunto, observação)."""

    def _trocar(m: re.Match[str]) -> str:
        digitos = "".join(m.groups())
        return mascarar_cpf(digitos) if is_cpf(digitos) else m.group(0)

    return _CPF_NO_TEXTO.sub(_trocar, texto)


def hash_documento(segredo: Segredo, documento: str) -> str:
    """Keyed hash of a CPF/CNPJ, `<key id>-<hex>`: search by document without the index holding it."""
    digest = hmac.new(bytes_de(segredo), so_digitos(documento).encode(), hashlib.sha256).hexdigest()
    return rotular(segredo, digest)


def hashes_documento(chaveiro: Chaveiro, documento: str) -> list[str]:
    """Every hash a document may be indexed under: one per key held, and the id-less one of `k0`.

    The index holds the hash made when its processo was last projected; a search asks for all of
    them, so a rotation loses no document (`protocolo rebuild` re-hashes with the current key).
    """
    return [hash_documento(segredo, documento) for segredo in chaveiro.segredos_possiveis()]
