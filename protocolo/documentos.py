"""CPF and CNPJ: check digits, normalisation and generation. Pure."""

from __future__ import annotations

__all__ = ["gerar_cnpj", "gerar_cpf", "is_cnpj", "is_cpf", "so_digitos"]

import random
import re

_NAO_DIGITO = re.compile(r"\D")


def so_digitos(texto: str) -> str:
    """Keep only the digits of `texto`."""
    return _NAO_DIGITO.sub("", texto)


def _dv_cpf(base: str) -> str:
    digitos = base
    for _ in range(2):
        peso = len(digitos) + 1
        soma = sum(int(d) * (peso - i) for i, d in enumerate(digitos))
        resto = soma % 11
        digitos += "0" if resto < 2 else str(11 - resto)
    return digitos[-2:]


def _dv_cnpj(base: str) -> str:
    digitos = base
    for _ in range(2):
        pesos = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(digitos) :]
        soma = sum(int(d) * p for d, p in zip(digitos, pesos, strict=True))
        resto = soma % 11
        digitos += "0" if resto < 2 else str(11 - resto)
    return digitos[-2:]


def is_cpf(digitos: str) -> bool:
    """True when `digitos` (11 digits, no punctuation) is a CPF with valid check digits."""
    if len(digitos) != 11 or not digitos.isdigit() or digitos == digitos[0] * 11:
        return False
    return _dv_cpf(digitos[:9]) == digitos[9:]


def is_cnpj(digitos: str) -> bool:
    """True when `digitos` (14 digits, no punctuation) is a CNPJ with valid check digits."""
    if len(digitos) != 14 or not digitos.isdigit() or digitos == digitos[0] * 14:
        return False
    return _dv_cnpj(digitos[:12]) == digitos[12:]


def gerar_cpf(rng: random.Random) -> str:
    """A random valid CPF (digits only), for simulations."""
    base = "".join(str(rng.randint(0, 9)) for _ in range(9))
    return base + _dv_cpf(base) if base != base[0] * 9 else gerar_cpf(rng)


def gerar_cnpj(rng: random.Random) -> str:
    """A random valid CNPJ (digits only) of a head office (0001), for simulations."""
    base = "".join(str(rng.randint(0, 9)) for _ in range(8)) + "0001"
    return base + _dv_cnpj(base)
