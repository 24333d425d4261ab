"""CSV (spreadsheets): one event per row, the event's fields flattened into columns. Pure.

The first line is the header, with any subset of these columns in any order (names ignore case):

    id, orgao, nup, tipo, operacao, ocorrido_em, nivel_acesso, especie, assunto, observacao,
    nup_relacionado, unidade_origem_codigo, unidade_origem_sigla, unidade_origem_nome,
    unidade_destino_codigo, unidade_destino_sigla, unidade_destino_nome, interessados

Each cell means what the JSON field of the same name means (README, "The event contract"); an empty cell
is an absent field. A unit exists when any of its three cells is filled. `interessados` lists people and
companies as `Nome|CPF ou CNPJ`, separated by `;`, the document optional:
`Maria da Silva|529.982.247-25; Empresa X Ltda|11.222.333/0001-81; João Souza`. Names cannot contain
`;` or `|`. `ocorrido_em` also takes `2024-03-05 14:30` and `05/03/2024 14:30`, read as Brasília time.

The delimiter is `;` when the header has one (Brazilian spreadsheets), else `,`; text is UTF-8, with or
without BOM. An unknown, repeated or missing required column (`orgao` and `nivel_acesso` may be left out
when the reader is given defaults) makes the header one rejected record and stops the reading: a typo in
a column name must not silently drop a field. Violations name the line and the column.
"""

from __future__ import annotations

__all__ = ["COLUNAS", "evento_para_linha", "ler_csv", "linha_para_json"]

import csv
import itertools
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from producers.formatos.abertura import Abrir, abrir_binario
from producers.formatos.datas import ler_data_hora
from producers.formatos.evento_lido import EventoLido, validar
from protocolo.errors import Violation
from protocolo.model import Evento, NivelAcesso, Unidade
from protocolo.validation import evento_to_json

_UNIDADES = ("unidade_origem", "unidade_destino")
_PARTES = ("codigo", "sigla", "nome")
_SIMPLES = ("id", "orgao", "nup", "tipo", "operacao", "ocorrido_em", "nivel_acesso", "especie", "assunto")
COLUNAS: tuple[str, ...] = (
    *_SIMPLES,
    "observacao",
    "nup_relacionado",
    *(f"{u}_{p}" for u in _UNIDADES for p in _PARTES),
    "interessados",
)
_OBRIGATORIAS = ("id", "nup", "tipo", "operacao", "ocorrido_em")


def _renomear(violacao: Violation) -> Violation:
    """Name a violation after its column: unidade_origem.codigo → unidade_origem_codigo."""
    campo = violacao.campo
    if campo.startswith("interessados["):
        indice, _, parte = campo.removeprefix("interessados[").partition("].")
        return Violation("interessados", f"interessado {int(indice) + 1} ({parte}): {violacao.motivo}")
    for unidade in _UNIDADES:
        if campo == unidade:
            return Violation(f"{unidade}_codigo", violacao.motivo)
        if campo.startswith(f"{unidade}."):
            return Violation(campo.replace(".", "_"), violacao.motivo)
    return violacao


def _interessados(celula: str, violacoes: list[Violation]) -> list[dict[str, str | None]]:
    lidos: list[dict[str, str | None]] = []
    for i, entrada in enumerate((e.strip() for e in celula.split(";") if e.strip()), start=1):
        partes = [p.strip() for p in entrada.split("|")]
        if len(partes) > 2:
            violacoes.append(Violation("interessados", f"interessado {i}: use 'Nome|CPF ou CNPJ'"))
            continue
        documento = partes[1] if len(partes) == 2 else ""
        lidos.append({"nome": partes[0] or None, "documento": documento or None})
    return lidos


def linha_para_json(celulas: Mapping[str, str]) -> tuple[dict[str, Any], list[Violation]]:
    """The JSON form of one row (filled cells only) and what the row itself breaks (dates, interessados)."""
    diretas = (*_SIMPLES, "observacao", "nup_relacionado")
    dados: dict[str, Any] = {c: v for c in diretas if (v := celulas.get(c))}
    violacoes: list[Violation] = []
    if "ocorrido_em" in dados:
        try:
            dados["ocorrido_em"] = ler_data_hora(dados["ocorrido_em"]).isoformat()
        except ValueError as exc:
            violacoes.append(Violation("ocorrido_em", str(exc)))
    for unidade in _UNIDADES:
        partes = {p: v for p in _PARTES if (v := celulas.get(f"{unidade}_{p}"))}
        if partes:
            dados[unidade] = partes
    if celula := celulas.get("interessados"):
        dados["interessados"] = _interessados(celula, violacoes)
    return dados, violacoes


def _cabecalho(
    nomes: list[str], *, orgao: str | None, nivel: NivelAcesso | None
) -> tuple[list[str], list[Violation]]:
    colunas = [n.strip().lower() for n in nomes]
    violacoes = [
        Violation(c, "coluna desconhecida") if c else Violation(f"coluna {i}", "coluna sem nome")
        for i, c in enumerate(colunas, start=1)
        if c not in COLUNAS
    ]
    repetidas = sorted({c for c in colunas if colunas.count(c) > 1})
    violacoes += [Violation(c, "coluna repetida") for c in repetidas]
    faltam = [*_OBRIGATORIAS]
    faltam += ["orgao"] if orgao is None else []
    faltam += ["nivel_acesso"] if nivel is None else []
    violacoes += [Violation(c, "coluna obrigatória ausente") for c in faltam if c not in colunas]
    return colunas, violacoes


class _NaoUtf8(Exception):
    def __init__(self, numero: int) -> None:
        self.numero = numero


def _linhas_utf8(arquivo: BinaryIO) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported at its own line; the BOM is dropped."""
    for numero, bruta in enumerate(arquivo, start=1):
        try:
            linha = bruta.decode("utf-8")
        except UnicodeDecodeError:
            raise _NaoUtf8(numero) from None
        yield linha.removeprefix("\ufeff") if numero == 1 else linha


def ler_csv(
    caminho: Path,
    *,
    orgao: str | None = None,
    nivel_acesso_padrao: NivelAcesso | None = None,
    agora: datetime | None = None,
    abrir: Abrir = abrir_binario,
) -> Iterator[EventoLido]:
    """Stream a CSV file in constant memory, one record per non-empty row."""
    with abrir(caminho) as arquivo:
        linhas = _linhas_utf8(arquivo)
        fim = 0  # the last physical line the csv reader consumed
        try:
            primeira = next(linhas, "")
            if not primeira.strip():
                yield EventoLido(
                    1, "linha 1", None, (Violation("cabeçalho", "falta o cabeçalho na linha 1"),)
                )
                return
            delimitador = ";" if ";" in primeira else ","
            leitor = csv.reader(itertools.chain([primeira], linhas), delimiter=delimitador)
            colunas, erros = _cabecalho(next(leitor), orgao=orgao, nivel=nivel_acesso_padrao)
            if erros:
                yield EventoLido(1, "linha 1 (cabeçalho)", None, tuple(erros))
                return
            fim = leitor.line_num
            for celulas in leitor:
                numero, fim = fim + 1, leitor.line_num
                if any(c.strip() for c in celulas):
                    yield _evento_lido(celulas, colunas, numero, orgao, nivel_acesso_padrao, agora)
        except _NaoUtf8 as exc:
            motivo = "o texto não está em UTF-8; salve a planilha como 'CSV UTF-8'"
            yield EventoLido(exc.numero, f"linha {exc.numero}", None, (Violation("arquivo", motivo),))
        except csv.Error as exc:
            motivo = f"CSV inválido: {exc}"
            yield EventoLido(fim + 1, f"linha {fim + 1}", None, (Violation("arquivo", motivo),))


def _evento_lido(
    celulas: list[str],
    colunas: list[str],
    numero: int,
    orgao: str | None,
    nivel: NivelAcesso | None,
    agora: datetime | None,
) -> EventoLido:
    local = f"linha {numero}"
    if len(celulas) != len(colunas):
        motivo = f"a linha tem {len(celulas)} colunas; o cabeçalho tem {len(colunas)}"
        return EventoLido(numero, local, None, (Violation("linha", motivo),))
    dados, violacoes = linha_para_json({c: v.strip() for c, v in zip(colunas, celulas, strict=True)})
    if orgao is not None:
        dados.setdefault("orgao", orgao)
    if nivel is not None:
        dados.setdefault("nivel_acesso", nivel.value)
    return validar(dados, numero=numero, local=local, previas=violacoes, renomear=_renomear, agora=agora)


def _unidade_em_celulas(nome: str, unidade: Unidade | None) -> dict[str, str]:
    valores = (None, None, None) if unidade is None else (unidade.codigo, unidade.sigla, unidade.nome)
    return {f"{nome}_{p}": v or "" for p, v in zip(_PARTES, valores, strict=True)}


def evento_para_linha(evento: Evento) -> dict[str, str]:
    """The row of one event, keyed by column (inverse of reading); ValueError for a name with ';' or '|'."""
    for interessado in evento.interessados:
        if any(c in interessado.nome for c in ";|"):
            raise ValueError(f"o nome do interessado não pode conter ';' nem '|': {interessado.nome!r}")
    forma = evento_to_json(evento)
    celulas = {
        **{c: forma[c] or "" for c in (*_SIMPLES, "observacao", "nup_relacionado")},
        **_unidade_em_celulas("unidade_origem", evento.unidade_origem),
        **_unidade_em_celulas("unidade_destino", evento.unidade_destino),
        "interessados": "; ".join(f"{i.nome}|{i.documento or ''}".rstrip("|") for i in evento.interessados),
    }
    return {c: celulas[c] for c in COLUNAS}
