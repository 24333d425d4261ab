"""Search parameters: validated and normalised once, with pt-BR messages for people. Pure.

`validar_busca` takes the raw query-string values and returns BuscaParams or raises
ConsultaInvalida naming every bad parameter ("campo: motivo; campo: motivo"). The documento is
never repeated in a message nor shown by repr.
"""

from __future__ import annotations

__all__ = [
    "CAMPOS_DATA",
    "MAX_PALAVRAS_FILTRO",
    "ORDENS",
    "BuscaParams",
    "ConsultaInvalida",
    "ler_documento",
    "ler_orgao",
    "ler_periodo_param",
    "validar_busca",
]

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Literal, TypeVar, cast

from api.busca.datas import Periodo, ler_periodo
from protocolo.documentos import is_cnpj, is_cpf, so_digitos
from protocolo.errors import InvalidNup, ProtocoloError
from protocolo.fold import Situacao
from protocolo.masking import mascarar_texto
from protocolo.model import TipoProtocolo
from protocolo.nup import parse_nup

Ordem = Literal["relevancia", "recentes", "antigos"]
CampoData = Literal["movimentacao", "autuacao", "atualizacao"]
ORDENS: tuple[Ordem, ...] = ("relevancia", "recentes", "antigos")
CAMPOS_DATA: tuple[CampoData, ...] = ("movimentacao", "autuacao", "atualizacao")

_ORGAO = re.compile(r"^[0-9A-Za-z._-]{1,20}$")
_DOCUMENTO = re.compile(r"^[\d.\-/\s]+$")
T = TypeVar("T")
MAX_PALAVRAS_FILTRO = 16
FORMATOS_DATA = "use DD/MM/AAAA ou AAAA-MM-DD (ou só MM/AAAA, AAAA)"


class ConsultaInvalida(ProtocoloError, ValueError):
    """A search request with a parameter that cannot be used; the message is pt-BR for people."""


@dataclass(frozen=True)
class BuscaParams:
    """One search, as the query builders need it. Text values are stripped; empty means absent."""

    q: str | None = None
    nup: str | None = None
    interessado: str | None = None
    documento: str | None = field(default=None, repr=False)
    orgao: str | None = None
    assunto: str | None = None
    tipo: str | None = None
    situacao: str | None = None
    ano: int | None = None
    desde: Periodo | None = None
    ate: Periodo | None = None
    campo_data: CampoData = "movimentacao"
    ordem: Ordem = "relevancia"
    tamanho: int = 20
    inicio: int = 0
    cursor: str | None = None
    facetas: bool = True

    def chave(self) -> str:
        """What identifies the result list (everything but the page and facets): cursors are bound to it.

        Holds the documento: use it only as HMAC input, never show or log it.
        """
        valores = asdict(self)
        for pagina in ("tamanho", "inicio", "cursor", "facetas"):
            valores.pop(pagina)
        for nome in ("desde", "ate"):
            periodo = getattr(self, nome)
            valores[nome] = [periodo.inicio_iso, periodo.fim_iso] if periodo else None
        return json.dumps(valores, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _texto(valor: str | None) -> str | None:
    valor = (valor or "").strip()
    return valor or None


def ler_documento(valor: str | None, campo: str = "documento") -> str | None:
    """The digits of a valid CPF or CNPJ; ConsultaInvalida (without the value) otherwise."""
    valor = _texto(valor)
    if valor is None:
        return None
    digitos = so_digitos(valor)
    if not _DOCUMENTO.match(valor) or len(digitos) not in (11, 14):
        raise ConsultaInvalida(f"{campo}: informe um CPF (11 dígitos) ou um CNPJ (14 dígitos)")
    if not (is_cpf(digitos) if len(digitos) == 11 else is_cnpj(digitos)):
        tipo = "CPF" if len(digitos) == 11 else "CNPJ"
        raise ConsultaInvalida(f"{campo}: {tipo} com dígitos verificadores incorretos; confira o número")
    return digitos


def ler_orgao(valor: str | None, campo: str = "orgao") -> str | None:
    """An órgão code as given (letters, digits, '.', '_' or '-')."""
    valor = _texto(valor)
    if valor is not None and not _ORGAO.match(valor):
        raise ConsultaInvalida(f"{campo}: informe o código do órgão, por exemplo 26000")
    return valor


def ler_periodo_param(valor: str | None, campo: str) -> Periodo | None:
    """A date parameter as the period it names."""
    valor = _texto(valor)
    if valor is None:
        return None
    periodo = ler_periodo(valor)
    if periodo is None:
        raise ConsultaInvalida(f"{campo}: data inválida; {FORMATOS_DATA}")
    return periodo


def _escolha(valor: str | None, campo: str, opcoes: tuple[str, ...]) -> str | None:
    valor = _texto(valor)
    if valor is None:
        return None
    normal = valor.upper() if opcoes[0].isupper() else valor.lower()
    if normal not in opcoes:
        lista = ", ".join(opcoes[:-1]) + " ou " + opcoes[-1]
        raise ConsultaInvalida(f"{campo}: use {lista}")
    return normal


def _ler_nup(valor: str | None) -> str | None:
    valor = _texto(valor)
    if valor is None:
        return None
    try:
        return parse_nup(valor).digitos
    except InvalidNup as exc:
        raise ConsultaInvalida(f"nup: {exc}") from exc


def _tentar(leitor: Callable[[], T], erros: list[str]) -> T | None:
    try:
        return leitor()
    except ConsultaInvalida as exc:
        erros.append(str(exc))
        return None


def validar_busca(
    *,
    q: str | None = None,
    nup: str | None = None,
    interessado: str | None = None,
    documento: str | None = None,
    orgao: str | None = None,
    assunto: str | None = None,
    tipo: str | None = None,
    situacao: str | None = None,
    ano: int | None = None,
    desde: str | None = None,
    ate: str | None = None,
    campo_data: str | None = None,
    ordem: str | None = None,
    tamanho: int = 20,
    inicio: int = 0,
    cursor: str | None = None,
    facetas: bool = True,
) -> BuscaParams:
    """Check and normalise every parameter; ConsultaInvalida lists everything wrong at once."""
    erros: list[str] = []
    nup_digitos = _tentar(lambda: _ler_nup(nup), erros)
    documento_digitos = _tentar(lambda: ler_documento(documento), erros)
    orgao_codigo = _tentar(lambda: ler_orgao(orgao), erros)
    tipo_valor = _tentar(lambda: _escolha(tipo, "tipo", tuple(TipoProtocolo)), erros)
    situacao_valor = _tentar(lambda: _escolha(situacao, "situacao", tuple(Situacao)), erros)
    periodo_desde = _tentar(lambda: ler_periodo_param(desde, "desde"), erros)
    periodo_ate = _tentar(lambda: ler_periodo_param(ate, "ate"), erros)
    campo_escolhido = _tentar(lambda: _escolha(campo_data, "campo_data", CAMPOS_DATA), erros)
    ordem_valor = _tentar(lambda: _escolha(ordem, "ordem", ORDENS), erros)
    if periodo_desde and periodo_ate and periodo_desde.inicio >= periodo_ate.fim:
        erros.append("desde: deve ser anterior ou igual a ate")
    for nome_param, texto in (("interessado", interessado), ("assunto", assunto)):
        if len((texto or "").split()) > MAX_PALAVRAS_FILTRO:
            erros.append(f"{nome_param}: use no máximo {MAX_PALAVRAS_FILTRO} palavras")
    if _texto(cursor) and inicio:
        erros.append("cursor: use o cursor ou inicio, não os dois")
    if erros:
        raise ConsultaInvalida("; ".join(erros))
    # Whatever is typed in a name field, a CPF in it never reaches the search server as text.
    nome, tema = _texto(interessado), _texto(assunto)
    return BuscaParams(
        q=_texto(q),
        nup=nup_digitos,
        interessado=mascarar_texto(nome) if nome else None,
        documento=documento_digitos,
        orgao=orgao_codigo,
        assunto=mascarar_texto(tema) if tema else None,
        tipo=tipo_valor,
        situacao=situacao_valor,
        ano=ano,
        desde=periodo_desde,
        ate=periodo_ate,
        campo_data=cast(CampoData, campo_escolhido or "movimentacao"),
        ordem=cast(Ordem, ordem_valor or "relevancia"),
        tamanho=tamanho,
        inicio=inicio,
        cursor=_texto(cursor),
        facetas=facetas,
    )
