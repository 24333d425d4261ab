"""The NUP (Número Único de Protocolo): parse, check, format and generate.

Accepted formats (Protocolo Integrado accepts all of them):

    formato           máscara                       dígitos  DV
    ATUAL             00000.000000/0000-00          17       mod 11, two digits (Portaria 11/2019, 3/2003)
    PORTARIA_2014     0000000.00000000/0000-00      21       ISO 7064 MOD 97-10 (Portaria 2.321/2014)
    ANO2_SEM_DV       00000.000000/00               13       none
    ANO2_UM_DV        00000.000000/00-0             14       mod 11, one digit
    ANO2_DOIS_DV      00000.000000/00-00            15       mod 11, two digits
    ANO4_DV_LITERAL   00000.000000/0000-DV          15       none (the letters "DV" were written instead)
    ANO2_DV_LITERAL   00000.000000/00-DV            13       none

Input is stripped of surrounding whitespace only. Punctuated input must match its format's mask exactly;
digits-only input is recognised by its length (plus a trailing "DV", in either case, for the literal
formats): 13 → ANO2_SEM_DV, 14 → ANO2_UM_DV, 15 → ANO2_DOIS_DV, 17 → ATUAL, 21 → PORTARIA_2014;
13 + "DV" → ANO2_DV_LITERAL, 15 + "DV" → ANO4_DV_LITERAL. A 17-digit string is always ATUAL, and a
digits-only 15 is never read as a 4-digit year without DV (that is not an accepted format).

Mod 11 (calcular_dv): weights 2, 3, 4, … from the rightmost digit; d = 11 - (sum mod 11), and d - 10 when
d > 9. DV1 covers the base, DV2 covers base + DV1. Remainders 0 and 10 both give 1, so the scheme does not
catch every error: a change of ±1 in the 6th or 7th digit (where one weight is 11) or of ±2/±9 in the 1st or
12th can escape, and so can swapping adjacent digits that differ by one (tests/unit/protocolo/test_nup.py
says when).

Two-digit years expand as 19yy when yy >= 50, else 20yy (those numbers predate 2003). Four-digit years must
lie in 1900..2100.
"""

from __future__ import annotations

__all__ = ["FormatoNup", "Nup", "calcular_dv", "gerar_nup", "is_valid_nup", "parse_nup"]

import functools
from dataclasses import dataclass
from enum import StrEnum

from protocolo.errors import InvalidNup

_DIGITOS = frozenset("0123456789")
_PONTUACAO = frozenset(".-/")
_ANO_MINIMO, _ANO_MAXIMO = 1900, 2100


class FormatoNup(StrEnum):
    """A recognised NUP layout, current or legacy."""

    ATUAL = "atual"
    PORTARIA_2014 = "portaria_2014"
    ANO2_SEM_DV = "ano2_sem_dv"
    ANO2_UM_DV = "ano2_um_dv"
    ANO2_DOIS_DV = "ano2_dois_dv"
    ANO4_DV_LITERAL = "ano4_dv_literal"
    ANO2_DV_LITERAL = "ano2_dv_literal"

    @property
    def descricao(self) -> str:
        """Human label in pt-BR."""
        return _DESCRICOES[self]

    @property
    def mascara(self) -> str:
        """Canonical layout: each '0' is a digit; a trailing 'DV' is written literally."""
        return _MASCARAS[self]

    @property
    def total_digitos(self) -> int:
        """How many digits a NUP of this format carries."""
        return self.mascara.count("0")

    @property
    def tem_dv(self) -> bool:
        """Whether the number carries check digits that can be verified."""
        return self not in (FormatoNup.ANO2_SEM_DV, FormatoNup.ANO4_DV_LITERAL, FormatoNup.ANO2_DV_LITERAL)


_DESCRICOES = {
    FormatoNup.ATUAL: "NUP atual (17 dígitos, Portaria Interministerial 11/2019)",
    FormatoNup.PORTARIA_2014: "NUP de 21 dígitos (Portaria 2.321/2014, revogada)",
    FormatoNup.ANO2_SEM_DV: "número antigo com ano de 2 dígitos, sem dígito verificador",
    FormatoNup.ANO2_UM_DV: "número antigo com ano de 2 dígitos e 1 dígito verificador",
    FormatoNup.ANO2_DOIS_DV: "número antigo com ano de 2 dígitos e 2 dígitos verificadores",
    FormatoNup.ANO4_DV_LITERAL: "número antigo com ano de 4 dígitos e 'DV' no lugar do dígito verificador",
    FormatoNup.ANO2_DV_LITERAL: "número antigo com ano de 2 dígitos e 'DV' no lugar do dígito verificador",
}
_MASCARAS = {
    FormatoNup.ATUAL: "00000.000000/0000-00",
    FormatoNup.PORTARIA_2014: "0000000.00000000/0000-00",
    FormatoNup.ANO2_SEM_DV: "00000.000000/00",
    FormatoNup.ANO2_UM_DV: "00000.000000/00-0",
    FormatoNup.ANO2_DOIS_DV: "00000.000000/00-00",
    FormatoNup.ANO4_DV_LITERAL: "00000.000000/0000-DV",
    FormatoNup.ANO2_DV_LITERAL: "00000.000000/00-DV",
}
# (digit count, literal "DV"?) → format. The keys are unique: that makes digits-only input unambiguous.
_POR_TAMANHO = {(f.total_digitos, f.mascara.endswith("DV")): f for f in FormatoNup}


@dataclass(frozen=True)
class Nup:
    """A parsed NUP: its digits (the canonical key), its format and whether its check digits were checked."""

    digitos: str
    formato: FormatoNup
    verificado: bool

    def __post_init__(self) -> None:
        if len(self.digitos) != self.formato.total_digitos or not set(self.digitos) <= _DIGITOS:
            raise InvalidNup(f"{self.digitos!r} não tem os {self.formato.total_digitos} dígitos do formato")

    @property
    def formatado(self) -> str:
        """The canonical punctuated form for its format."""
        return _aplicar_mascara(self.digitos, self.formato.mascara)

    @property
    def ano(self) -> int:
        """The year, with two-digit years expanded (yy >= 50 → 19yy, else 20yy)."""
        inicio, fim = _posicao_ano(self.formato.mascara)
        ano = int(self.digitos[inicio:fim])
        if fim - inicio == 2:
            return 1900 + ano if ano >= 50 else 2000 + ano
        return ano

    def __str__(self) -> str:
        return self.formatado


def _posicao_ano(mascara: str) -> tuple[int, int]:
    # The year is the group right after the slash; its position is counted in digits, not characters.
    inicio = mascara.count("0", 0, mascara.index("/"))
    return inicio, inicio + len(mascara.split("/")[1].split("-")[0])


def _aplicar_mascara(digitos: str, mascara: str) -> str:
    restantes = iter(digitos)
    return "".join(next(restantes) if c == "0" else c for c in mascara)


def _dv_mod11(base: str) -> int:
    soma = sum(int(d) * peso for peso, d in enumerate(reversed(base), start=2))
    dv = 11 - soma % 11
    return dv - 10 if dv > 9 else dv


def calcular_dv(base: str) -> str:
    """The two mod-11 check digits of `base`: DV1 over the base, DV2 over base + DV1."""
    if not base or not set(base) <= _DIGITOS:
        raise InvalidNup(f"a base do dígito verificador deve conter apenas dígitos: {base!r}")
    dv1 = str(_dv_mod11(base))
    return dv1 + str(_dv_mod11(base + dv1))


def _dv_mod97(base: str) -> str:
    # ISO 7064 MOD 97-10: chosen so that int(base + dv) % 97 == 1.
    return f"{98 - int(base) * 100 % 97:02d}"


def _dv_esperado(digitos: str, formato: FormatoNup) -> str:
    if formato is FormatoNup.PORTARIA_2014:
        return _dv_mod97(digitos[:-2])
    if formato is FormatoNup.ANO2_UM_DV:
        return calcular_dv(digitos[:-1])[0]
    return calcular_dv(digitos[:-2])


def _erro_tamanho(quantidade: int, literal: bool) -> InvalidNup:
    informados = "foi informado 1" if quantidade == 1 else f"foram informados {quantidade}"
    if literal:
        return InvalidNup(
            "o NUP com 'DV' deve ter 15 dígitos (formato 00000.000000/0000-DV) ou 13 "
            f"(formato 00000.000000/00-DV); {informados}"
        )
    return InvalidNup(f"o NUP deve ter 17 dígitos (formato 00000.000000/0000-00); {informados}")


# A processo's NUP comes back with each of its events: caching the (immutable) result halves the
# cost of validating an event. Errors are not cached; they are raised anew.
@functools.lru_cache(maxsize=65_536)
def parse_nup(texto: str) -> Nup:
    """Parse a NUP in any accepted format, verifying its check digits when it has them."""
    limpo = texto.strip()
    if not limpo:
        raise InvalidNup("NUP vazio")
    literal = limpo[-2:].upper() == "DV"
    corpo = limpo[:-2] if literal else limpo
    invalidos = dict.fromkeys(c for c in corpo if c not in _DIGITOS and c not in _PONTUACAO)
    if invalidos:
        raise InvalidNup("o NUP contém caracteres inválidos: " + ", ".join(repr(c) for c in invalidos))
    digitos = "".join(c for c in corpo if c in _DIGITOS)
    formato = _POR_TAMANHO.get((len(digitos), literal))
    if formato is None:
        raise _erro_tamanho(len(digitos), literal)
    nup = Nup(digitos, formato, verificado=formato.tem_dv)
    if any(c in _PONTUACAO for c in corpo) and corpo + ("DV" if literal else "") != nup.formatado:
        raise InvalidNup(f"pontuação fora do lugar: o formato esperado é {formato.mascara}")
    if not _ANO_MINIMO <= nup.ano <= _ANO_MAXIMO:  # two-digit years (1950..2049) always pass
        raise InvalidNup(f"ano inválido: {nup.ano} (esperado entre {_ANO_MINIMO} e {_ANO_MAXIMO})")
    if formato.tem_dv:
        esperado = _dv_esperado(digitos, formato)
        dado = digitos[-len(esperado) :]
        if dado != esperado:
            if len(esperado) == 1:
                raise InvalidNup(f"dígito verificador incorreto: esperado {esperado}, informado {dado}")
            raise InvalidNup(f"dígitos verificadores incorretos: esperados {esperado}, informados {dado}")
    return nup


def is_valid_nup(texto: str) -> bool:
    """Whether `texto` parses as a NUP in any accepted format."""
    try:
        parse_nup(texto)
    except InvalidNup:
        return False
    return True


def gerar_nup(*, unidade: int, sequencial: int, ano: int) -> Nup:
    """Build a valid current (17-digit) NUP."""
    if not 0 <= unidade <= 99_999:
        raise InvalidNup(f"código da unidade deve ter até 5 dígitos: {unidade}")
    if not 0 <= sequencial <= 999_999:
        raise InvalidNup(f"número sequencial deve ter até 6 dígitos: {sequencial}")
    if not _ANO_MINIMO <= ano <= _ANO_MAXIMO:
        raise InvalidNup(f"ano inválido: {ano} (esperado entre {_ANO_MINIMO} e {_ANO_MAXIMO})")
    base = f"{unidade:05d}{sequencial:06d}{ano:04d}"
    return Nup(base + calcular_dv(base), FormatoNup.ATUAL, verificado=True)
