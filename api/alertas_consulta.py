"""A search (BuscaParams) as the normalised query an alert matches, and its pt-BR description. Pure.

The free text is read by the search's own reader (api/busca/texto.py), so an alert and GET
/api/v1/processos see the same terms; a CPF or CNPJ leaves here only as its keyed hash, and the
description shows it masked.
"""

from __future__ import annotations

__all__ = ["consulta_de_busca", "descrever_busca"]

from api.busca.params import BuscaParams
from api.busca.texto import (
    Data,
    DocumentoBuscado,
    Frase,
    Impossivel,
    NupBuscado,
    Operando,
    Palavra,
    interpretar,
)
from protocolo.alertas.consulta import ConsultaAlerta, Termo, TipoTermo
from protocolo.chaveiro import Segredo
from protocolo.fold import Situacao
from protocolo.masking import hash_documento, mascarar_cpf
from protocolo.nup import parse_nup


def _termo(operando: Operando, segredo: Segredo) -> Termo:
    match operando:
        case Palavra(texto):
            return Termo(TipoTermo.PALAVRA, texto=texto)
        case Frase(texto):
            return Termo(TipoTermo.FRASE, texto=texto)
        case Data(texto, periodo):
            return Termo(TipoTermo.DATA, texto=texto, inicio=periodo.inicio_iso, fim=periodo.fim_iso)
        case NupBuscado(digitos):
            return Termo(TipoTermo.NUP, valor=digitos)
        case DocumentoBuscado(digitos):
            return Termo(TipoTermo.DOCUMENTO, valor=hash_documento(segredo, digitos))
        case Impossivel():
            return Termo(TipoTermo.IMPOSSIVEL)
    raise TypeError(f"operando desconhecido: {type(operando).__name__}")  # pragma: no cover


def consulta_de_busca(params: BuscaParams, *, segredo: Segredo) -> ConsultaAlerta:
    """What an alert on this search matches: the same terms and filters as the search itself.

    A CPF or CNPJ is kept as its hash under `segredo`: the ring's current key, the one the streams
    hash the interessados of the processos they project with, or no alert would ever match.
    """
    texto = interpretar(params.q)
    desde, ate = params.periodo_desde, params.periodo_ate
    return ConsultaAlerta(
        grupos=tuple(tuple(_termo(o, segredo) for o in grupo) for grupo in texto.grupos),
        interessado=tuple((params.interessado or "").split()),
        assunto=tuple((params.assunto or "").split()),
        nup=params.nup,
        orgao=params.orgao,
        tipo=params.tipo,
        situacao=params.situacao,
        ano=params.ano,
        documento_hash=hash_documento(segredo, params.documento) if params.documento else None,
        campo_data=params.campo_data,
        desde=desde.inicio_iso if desde else None,
        ate=ate.fim_iso if ate else None,
    )


def _documento_mascarado(digitos: str) -> str:
    if len(digitos) == 11:
        return f"CPF {mascarar_cpf(digitos)}"
    return f"CNPJ {digitos[:2]}.{digitos[2:5]}.***/****-**"


def _q_mascarado(params: BuscaParams) -> str:
    """The free text as typed, each CPF or CNPJ in it masked (the rest was masked by the reader)."""
    partes = []
    for grupo in interpretar(params.q).grupos:
        nomes = []
        for operando in grupo:
            match operando:
                case DocumentoBuscado(digitos):
                    nomes.append(_documento_mascarado(digitos))
                case NupBuscado(digitos):
                    nomes.append(parse_nup(digitos).formatado)
                case Palavra(texto) | Data(texto, _):
                    nomes.append(texto)
                case Frase(texto):
                    nomes.append(f"“{texto}”")
        if nomes:
            partes.append(" OU ".join(nomes))
    return " ".join(partes)


def descrever_busca(params: BuscaParams, *, nome_orgao: str | None = None) -> str:
    """The search in pt-BR for e-mails and pages; never a full CPF."""
    partes = []
    if texto := _q_mascarado(params):
        partes.append(f"“{texto}”")
    if params.nup:
        partes.append(f"processo {parse_nup(params.nup).formatado}")
    if params.documento:
        partes.append(f"interessado {_documento_mascarado(params.documento)}")
    if params.interessado:
        partes.append(f"interessado “{params.interessado}”")
    if params.assunto:
        partes.append(f"assunto “{params.assunto}”")
    if params.orgao:
        partes.append(f"órgão {nome_orgao or params.orgao}")
    if params.tipo:
        partes.append(f"tipo {params.tipo.lower()}")
    if params.situacao:
        partes.append(f"situação {Situacao(params.situacao).descricao.lower()}")
    if params.ano:
        partes.append(f"autuados em {params.ano}")
    if params.desde:
        partes.append(f"desde {params.desde}")
    if params.ate:
        partes.append(f"até {params.ate}")
    return ", ".join(partes) or "todos os processos públicos"
