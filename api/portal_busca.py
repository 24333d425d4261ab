"""The portal's search form: what was typed, and the links built from it (facets, sort, pages). Pure.

The portal reads the same parameters as GET /api/v1/processos and validates them with the same
`validar_busca`; this module only keeps the raw form values and turns them into URLs.

The CPF/CNPJ field (`documento`) is never part of a URL nor written back into a page: the form is
POSTed, and a search that holds a CPF (in that field or typed in the simple box) is answered in the
POST response itself, without links that would have to carry it. See `Formulario.sensivel`.
"""

from __future__ import annotations

__all__ = [
    "CAMPOS",
    "ORDENS_ROTULOS",
    "TAMANHO_PAGINA",
    "TAMANHO_SENSIVEL",
    "FiltroAtivo",
    "Formulario",
    "GrupoFaceta",
    "Sugestao",
    "ValorFaceta",
    "filtros_ativos",
    "grupos_facetas",
    "ler_pagina",
    "sugestoes",
]

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlencode

from api.busca.params import ConsultaInvalida
from api.schemas import Facetas
from protocolo.masking import mascarar_texto

# The public search fields, in the order they appear in URLs; `documento` is deliberately absent.
CAMPOS = ("q", "interessado", "orgao", "assunto", "tipo", "situacao", "ano", "desde", "ate", "ordem")
ORDEM_PADRAO = "relevancia"
ORDENS_ROTULOS = {"relevancia": "Relevância", "recentes": "Mais recentes", "antigos": "Mais antigos"}
TAMANHO_PAGINA = 20
TAMANHO_SENSIVEL = 50  # a CPF search has no next-page link, so it shows more at once
MAX_TEXTO = 500
MAX_PAGINA = 500

_ROTULOS_FILTRO = {
    "interessado": "Interessado",
    "orgao": "Órgão",
    "assunto": "Assunto",
    "tipo": "Tipo",
    "situacao": "Situação",
    "ano": "Ano de autuação",
    "desde": "Desde",
    "ate": "Até",
}


@dataclass(frozen=True)
class Formulario:
    """The search form as typed (stripped strings; empty means not given)."""

    q: str = ""
    interessado: str = ""
    orgao: str = ""
    assunto: str = ""
    tipo: str = ""
    situacao: str = ""
    ano: str = ""
    desde: str = ""
    ate: str = ""
    ordem: str = ""
    documento: str = field(default="", repr=False)

    @classmethod
    def ler(cls, valores: Mapping[str, Any]) -> Formulario:
        """From query-string or form values; unknown keys are ignored, long values cut."""
        lidos: dict[str, str] = {}
        for f in fields(cls):
            valor = valores.get(f.name)
            lidos[f.name] = str(valor).strip()[:MAX_TEXTO] if isinstance(valor, str) else ""
        return cls(**lidos)

    def vazio(self) -> bool:
        """Nothing to search for (the sort alone is not a search)."""
        return not any(getattr(self, c) for c in CAMPOS if c != "ordem") and not self.documento

    def sensivel(self) -> bool:
        """Holds a CPF/CNPJ (the documento field, or a CPF typed in the simple box)."""
        return bool(self.documento) or mascarar_texto(self.q) != self.q

    def avancado(self) -> bool:
        """Whether an advanced field is filled (the Consulta Avançada then starts open)."""
        return any(getattr(self, c) for c in CAMPOS if c not in ("q", "ordem")) or bool(self.documento)

    def q_exibido(self) -> str:
        """The simple box's text as the page may show it: CPFs masked."""
        return mascarar_texto(self.q)

    def parametros(self) -> dict[str, str]:
        """The non-empty public fields, in URL order; never the documento nor the default sort."""
        valores = {c: getattr(self, c) for c in CAMPOS if getattr(self, c)}
        if valores.get("ordem") == ORDEM_PADRAO:
            del valores["ordem"]
        return valores

    def url(self, **mudancas: str) -> str:
        """The portal URL of this search with some fields changed ('' removes one); first page."""
        return _url(replace(self, **mudancas).parametros())

    def url_pagina(self, cursor: str, pagina: int) -> str:
        """The URL of a later page: the API's cursor plus the page number shown to people."""
        return _url({**self.parametros(), "cursor": cursor, "pagina": str(pagina)})

    def criterios(self) -> dict[str, Any]:
        """Keyword arguments for `validar_busca` (without page and cursor)."""
        ano: int | None = None
        if self.ano:
            if not (self.ano.isdigit() and 1900 <= int(self.ano) <= 2100):
                raise ConsultaInvalida("ano: informe um ano com quatro dígitos, entre 1900 e 2100")
            ano = int(self.ano)
        return {
            "q": self.q,
            "interessado": self.interessado,
            "documento": self.documento,
            "orgao": self.orgao,
            "assunto": self.assunto,
            "tipo": self.tipo,
            "situacao": self.situacao,
            "ano": ano,
            "desde": self.desde,
            "ate": self.ate,
            "ordem": self.ordem,
        }


def _url(parametros: Mapping[str, str]) -> str:
    return "/?" + urlencode(parametros) if parametros else "/"


def ler_pagina(valor: str | None) -> int:
    """The page number shown next to a cursor (display only): 1 when absent or nonsense."""
    if valor and valor.isdigit() and 1 <= int(valor) <= MAX_PAGINA:
        return int(valor)
    return 1


@dataclass(frozen=True)
class FiltroAtivo:
    """A filter in use, with the link that removes it."""

    rotulo: str
    valor: str
    url_remover: str


def filtros_ativos(form: Formulario, nomes: Mapping[str, Mapping[str, str]]) -> list[FiltroAtivo]:
    """The advanced filters in use; `nomes[campo][valor]` gives a readable value (órgão names…)."""
    ativos = []
    for campo, rotulo in _ROTULOS_FILTRO.items():
        valor = getattr(form, campo)
        if valor:
            exibido = nomes.get(campo, {}).get(valor, valor)
            ativos.append(FiltroAtivo(rotulo, exibido, form.url(**{campo: ""})))
    return ativos


@dataclass(frozen=True)
class Sugestao:
    """Something to try when nothing was found."""

    texto: str
    url: str


def sugestoes(form: Formulario, nomes: Mapping[str, Mapping[str, str]]) -> list[Sugestao]:
    """Links to broader searches: without each filter, any of the words instead of all of them.

    None for a search holding a CPF: its links would have to carry it.
    """
    if form.sensivel():
        return []
    lista = [
        Sugestao(f"Sem o filtro {f.rotulo.lower()} ({f.valor})", f.url_remover)
        for f in filtros_ativos(form, nomes)
    ]
    palavras = form.q.split()
    if len(palavras) >= 2 and "OU" not in palavras and '"' not in form.q:
        alternativa = " OU ".join(palavras)
        lista.append(Sugestao(f"Qualquer uma das palavras: {alternativa}", form.url(q=alternativa)))
    return lista


@dataclass(frozen=True)
class ValorFaceta:
    """One facet value as a link: choosing it filters, choosing it again removes the filter."""

    rotulo: str
    quantidade: int
    url: str
    ativo: bool


@dataclass(frozen=True)
class GrupoFaceta:
    """A facet (órgão, situação, ano, tipo) and its values."""

    campo: str
    titulo: str
    valores: list[ValorFaceta]


_TITULOS_FACETA = {"orgao": "Órgão", "situacao": "Situação", "ano": "Ano de autuação", "tipo": "Tipo"}


def grupos_facetas(form: Formulario, facetas: Facetas) -> list[GrupoFaceta]:
    """The facets of a result page as filter links (none for a search holding a CPF)."""
    if form.sensivel():
        return []
    grupos = []
    for campo, titulo in _TITULOS_FACETA.items():
        valores = []
        for v in getattr(facetas, campo):
            ativo = getattr(form, campo) == v.valor
            url = form.url(**{campo: "" if ativo else v.valor})
            valores.append(ValorFaceta(v.rotulo or v.valor, v.quantidade, url, ativo))
        if valores:
            grupos.append(GrupoFaceta(campo, titulo, valores))
    return grupos
