"""The Consulta Simples language, as Protocolo Integrado defines it, read into plain values. Pure.

- Every term must match: the query is a list of groups, all required.
- `OU` (upper case, between two terms) makes them alternatives of one group and binds tighter than
  the implicit "and": `aposentadoria OU pensão invalidez` = (aposentadoria or pensão) and invalidez.
  A stray `OU` (first, last, doubled) is ignored; lower-case "ou" is an ordinary (stop) word.
- `"quoted words"` are a phrase: those words, in that order (accents and case still ignored, no typo
  tolerance). An unclosed quote runs to the end. Curly quotes count as quotes.
- A partial date ("2011", "01/2011", "05/01/2011", "2011-01-05") is a period: see datas.py.
- A NUP in any accepted format finds that processo. Something shaped like a NUP that does not parse
  (wrong check digits, say) matches nothing and the reason is reported in `avisos`.
- A valid CPF or CNPJ is a documento: it is matched through the keyed hash, never sent as text. A
  14-digit number that is both a valid NUP and a valid CNPJ is either. A number shaped like a CPF or
  CNPJ with wrong check digits is not a document: it is searched as text, with a warning.
- Free text that reaches the search server has every CPF masked first, as the index has it.

Nothing here raises on any input: whatever a citizen types is a query, at worst one that matches
nothing, and the warnings say why.
"""

from __future__ import annotations

__all__ = [
    "MAX_OPERANDOS",
    "ConsultaTexto",
    "Data",
    "DocumentoBuscado",
    "Frase",
    "Impossivel",
    "NupBuscado",
    "Operando",
    "Palavra",
    "interpretar",
]

import re
from dataclasses import dataclass, field

from api.busca.datas import Periodo, ler_periodo
from protocolo.documentos import is_cnpj, is_cpf, so_digitos
from protocolo.errors import InvalidNup
from protocolo.masking import mascarar_texto
from protocolo.nup import parse_nup

MAX_OPERANDOS = 16


@dataclass(frozen=True)
class Palavra:
    """A word to find in any text field (CPFs masked), typos tolerated."""

    texto: str


@dataclass(frozen=True)
class Frase:
    """Words to find together, in order, in one text field (CPFs masked)."""

    texto: str


@dataclass(frozen=True)
class Data:
    """A period in which the processo moved; `texto` as typed, also matched as text."""

    texto: str
    periodo: Periodo


@dataclass(frozen=True)
class NupBuscado:
    """A processo by its NUP digits."""

    digitos: str


@dataclass(frozen=True)
class DocumentoBuscado:
    """A CPF or CNPJ (digits), to match through its keyed hash. Never shown: not even in repr."""

    digitos: str = field(repr=False)


@dataclass(frozen=True)
class Impossivel:
    """A term that can match nothing (an invalid NUP); the reason is in the warnings."""


Operando = Palavra | Frase | Data | NupBuscado | DocumentoBuscado | Impossivel


@dataclass(frozen=True)
class ConsultaTexto:
    """All groups must match; within a group, any operand."""

    grupos: tuple[tuple[Operando, ...], ...] = ()
    avisos: tuple[str, ...] = ()


_ASPAS = str.maketrans(dict.fromkeys("“”„«»″", '"'))
_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_BORDAS = ",;:!?()[]{}<>'`"
_NUP_PONTUADO = re.compile(r"^\d{5,7}\.\d{6,8}/\d{2,4}(?:-(?:\d{1,2}|[Dd][Vv]))?$")
_NUP_DIGITOS = re.compile(r"^(?:\d{13,15}|\d{17}|\d{21}|\d{13}[Dd][Vv]|\d{15}[Dd][Vv])$")
_CPF = re.compile(r"^\d{3}\.?\d{3}\.?\d{3}-?\d{2}$")
_CNPJ = re.compile(r"^\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}$")
AVISO_DOCUMENTO = (
    "Um número com formato de CPF ou CNPJ não tem dígitos verificadores válidos e foi buscado como texto."
)
AVISO_LIMITE = f"A consulta foi limitada aos primeiros {MAX_OPERANDOS} termos."


def _nup(token: str) -> tuple[NupBuscado | None, str | None]:
    try:
        return NupBuscado(parse_nup(token).digitos), None
    except InvalidNup as exc:
        return None, str(exc)


def _classificar(token: str, avisos: list[str]) -> tuple[Operando, ...]:
    """What one unquoted token means; empty when it carries nothing searchable."""
    token = token.strip(_BORDAS)
    if token.endswith(".") and not token.endswith(".."):
        token = token.rstrip(".")
    if not any(c.isalnum() for c in token):
        return ()
    if _NUP_PONTUADO.match(token) or _NUP_DIGITOS.match(token):
        nup, motivo = _nup(token)
        digitos = so_digitos(token)
        alternativas: list[Operando] = [nup] if nup else []
        if token.isdigit() and is_cnpj(digitos):
            alternativas.append(DocumentoBuscado(digitos))
        if alternativas:
            return tuple(alternativas)
        if token.isdigit() and len(digitos) in (13, 14, 15):  # not clearly a NUP: a long number
            if len(digitos) == 14 and AVISO_DOCUMENTO not in avisos:
                avisos.append(AVISO_DOCUMENTO)
            return (Palavra(token),)
        avisos.append(f"“{token}” não é um NUP válido: {motivo}.")
        return (Impossivel(),)
    if _CPF.match(token) or _CNPJ.match(token):
        digitos = so_digitos(token)
        if is_cpf(digitos) or is_cnpj(digitos):
            return (DocumentoBuscado(digitos),)
        if AVISO_DOCUMENTO not in avisos:
            avisos.append(AVISO_DOCUMENTO)
        return (Palavra(token),)
    periodo = ler_periodo(token)
    if periodo is not None:
        return (Data(token, periodo),)
    return (Palavra(mascarar_texto(token)),)


def _frase(texto: str, avisos: list[str]) -> tuple[Operando, ...]:
    palavras = texto.split()
    if len(palavras) == 1:  # "pensão" in quotes: that exact word, no typo tolerance
        operandos = _classificar(palavras[0], avisos)
        return tuple(Frase(o.texto) if isinstance(o, Palavra) else o for o in operandos)
    if not any(c.isalnum() for c in texto):
        return ()
    return (Frase(mascarar_texto(" ".join(palavras))),)


def interpretar(q: str | None) -> ConsultaTexto:
    """Read the Consulta Simples box. Never raises."""
    texto = (q or "").translate(_ASPAS)
    grupos: list[tuple[Operando, ...]] = []
    avisos: list[str] = []
    juntar = False
    usados = 0
    for m in _TOKEN.finditer(texto):
        frase, palavra = m.group(1), m.group(2)
        if palavra == "OU":
            juntar = bool(grupos)
            continue
        operandos = _frase(frase, avisos) if frase is not None else _classificar(palavra, avisos)
        if not operandos:
            continue
        if usados >= MAX_OPERANDOS:
            avisos.append(AVISO_LIMITE)
            break
        usados += 1
        if juntar:
            grupos[-1] = grupos[-1] + operandos
        else:
            grupos.append(operandos)
        juntar = False
    return ConsultaTexto(tuple(grupos), tuple(avisos))
