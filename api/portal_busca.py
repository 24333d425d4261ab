"""The portal's search form: what was typed, and the links built from it (facets, sort, pages). Pure.

The form's fields, their order in URLs, labels, choices and limits all come from the one
declaration of the search parameters (api.busca.params.BuscaParams and its NoPortal labels), and
they are validated by the same `validar_busca` as GET /api/v1/processos. This module only keeps
the raw form values, draws the form from the declaration and turns the values into URLs.

The CPF/CNPJ field (`documento`) is never part of a URL nor written back into a page: the form is
POSTed, and a search that holds a CPF (in that field or typed in the simple box) is answered in the
POST response itself, without links that would have to carry it. See `Formulario.sensivel`.
"""

from __future__ import annotations

__all__ = [
    "CAIXA_SIMPLES",
    "CAMPOS",
    "ORDENS_ROTULOS",
    "TAMANHO_PAGINA",
    "TAMANHO_SENSIVEL",
    "Campo",
    "CampoFormulario",
    "FiltroAtivo",
    "Formulario",
    "GrupoFaceta",
    "Sugestao",
    "ValorFaceta",
    "campos_formulario",
    "filtros_ativos",
    "grupos_facetas",
    "ler_pagina",
    "nomes_declarados",
    "sugestoes",
]

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from annotated_types import Ge, Le, MaxLen

from api.busca.params import ORDENS_ROTULOS, BuscaParams, ConsultaInvalida, NoPortal
from api.schemas import Facetas
from protocolo.masking import mascarar_texto

ORDEM_PADRAO = "relevancia"
TAMANHO_PAGINA = 20
TAMANHO_SENSIVEL = 50  # a CPF search has no next-page link, so it shows more at once
MAX_TEXTO = 500
MAX_PAGINA = 500
FACETAS = ("orgao", "situacao", "ano", "tipo")  # the facets the search response carries, in page order


@dataclass(frozen=True)
class Campo:
    """A declared search field the portal shows: its name, portal label and declared limits."""

    nome: str
    portal: NoPortal
    numero: bool = False
    max_length: int | None = None
    minimo: int | None = None
    maximo: int | None = None


def _declarados() -> tuple[Campo, ...]:
    campos = []
    for nome, info in BuscaParams.model_fields.items():
        portal = next((m for m in info.metadata if isinstance(m, NoPortal)), None)
        if portal is None:
            continue
        limites: dict[str, int] = {}
        for m in info.metadata:
            if isinstance(m, MaxLen):
                limites["max_length"] = m.max_length
            elif isinstance(m, Ge):
                limites["minimo"] = int(m.ge)  # type: ignore[call-overload]
            elif isinstance(m, Le):
                limites["maximo"] = int(m.le)  # type: ignore[call-overload]
        numero = info.annotation in (int, int | None)
        campos.append(Campo(nome, portal, numero=numero, **limites))
    return tuple(campos)


DECLARADOS = _declarados()
_POR_NOME = {c.nome: c for c in DECLARADOS}
# The public search fields, in the order they appear in URLs; a sigiloso field (documento) never does.
CAMPOS = tuple(c.nome for c in DECLARADOS if not c.portal.sigiloso)
CAIXA_SIMPLES = next(c for c in DECLARADOS if c.portal.caixa_simples)  # the Consulta Simples box (q)


class Formulario:
    """The search form as typed (stripped strings; empty means not given): one value per declared field.

    `Formulario(q="pensão", orgao="26000")`; `form.q`, `form.orgao` read the values.
    """

    __slots__ = ("_valores",)
    _valores: dict[str, str]

    def __init__(self, **valores: str) -> None:
        desconhecidos = set(valores) - set(_POR_NOME)
        if desconhecidos:
            raise TypeError(f"unknown form fields: {', '.join(sorted(desconhecidos))}")
        object.__setattr__(self, "_valores", {c.nome: valores.get(c.nome, "") for c in DECLARADOS})

    def __getattr__(self, nome: str) -> str:
        valores: dict[str, str] = object.__getattribute__(self, "_valores")
        try:
            return valores[nome]
        except KeyError:
            raise AttributeError(nome) from None

    def __setattr__(self, nome: str, valor: object) -> None:
        raise AttributeError("Formulario is immutable")

    def __eq__(self, outro: object) -> bool:
        return isinstance(outro, Formulario) and self._valores == outro._valores

    def __hash__(self) -> int:
        return hash(tuple(self._valores.items()))

    def __repr__(self) -> str:
        visiveis = ", ".join(
            f"{c.nome}={self.valor(c.nome)!r}"
            for c in DECLARADOS
            if not c.portal.sigiloso and self.valor(c.nome)
        )
        return f"Formulario({visiveis})"

    def valor(self, nome: str) -> str:
        """The typed value of one field ('' when not given)."""
        return self._valores[nome]

    @classmethod
    def ler(cls, valores: Mapping[str, Any]) -> Formulario:
        """From query-string or form values; unknown keys are ignored, long values cut."""
        lidos: dict[str, str] = {}
        for campo in DECLARADOS:
            valor = valores.get(campo.nome)
            lidos[campo.nome] = str(valor).strip()[:MAX_TEXTO] if isinstance(valor, str) else ""
        return cls(**lidos)

    def com(self, **mudancas: str) -> Formulario:
        """The same form with some fields changed."""
        return Formulario(**{**self._valores, **mudancas})

    def _algum(self, simples: bool) -> bool:
        return any(
            self.valor(c.nome)
            for c in DECLARADOS
            if c.portal.criterio and (simples or not c.portal.caixa_simples)
        )

    def vazio(self) -> bool:
        """Nothing to search for (the sort alone is not a search)."""
        return not self._algum(simples=True)

    def sensivel(self) -> bool:
        """Holds a CPF/CNPJ (a sigiloso field, or a CPF typed in the simple box)."""
        return (
            any(self.valor(c.nome) for c in DECLARADOS if c.portal.sigiloso)
            or mascarar_texto(self.q) != self.q
        )

    def avancado(self) -> bool:
        """Whether an advanced field is filled (the Consulta Avançada then starts open)."""
        return self._algum(simples=False)

    def q_exibido(self) -> str:
        """The simple box's text as the page may show it: CPFs masked."""
        return mascarar_texto(self.q)

    def parametros(self) -> dict[str, str]:
        """The non-empty public fields, in URL order; never a sigiloso field nor the default sort."""
        valores = {c: self.valor(c) for c in CAMPOS if self.valor(c)}
        if valores.get("ordem") == ORDEM_PADRAO:
            del valores["ordem"]
        return valores

    def url(self, **mudancas: str) -> str:
        """The portal URL of this search with some fields changed ('' removes one); first page."""
        return _url(self.com(**mudancas).parametros())

    def url_pagina(self, cursor: str, pagina: int) -> str:
        """The URL of a later page: the API's cursor plus the page number shown to people."""
        return _url({**self.parametros(), "cursor": cursor, "pagina": str(pagina)})

    def criterios(self) -> dict[str, Any]:
        """Keyword arguments for `validar_busca` (without page and cursor)."""
        criterios: dict[str, Any] = {}
        for campo in DECLARADOS:
            valor = self.valor(campo.nome)
            if campo.numero:
                criterios[campo.nome] = _numero(campo, valor)
            else:
                criterios[campo.nome] = valor
        return criterios


def _numero(campo: Campo, valor: str) -> int | None:
    """A number typed in the form, in the declared range; the field's own pt-BR reason otherwise."""
    if not valor:
        return None
    minimo = campo.minimo if campo.minimo is not None else 0
    maximo = campo.maximo
    if not (valor.isdigit() and minimo <= int(valor) and (maximo is None or int(valor) <= maximo)):
        raise ConsultaInvalida(f"{campo.nome}: {campo.portal.invalido or 'informe um número'}")
    return int(valor)


@dataclass(frozen=True)
class CampoFormulario:
    """One field of the Consulta Avançada as the template draws it."""

    nome: str
    rotulo: str
    valor: str  # '' for a sigiloso field: never written back
    opcoes: list[tuple[str, str]] | None  # a select's (value, label); None: a text input
    vazio: str | None
    max_length: int | None
    atributos: Mapping[str, str]
    dica: str | None
    descrito_por: str | None  # aria-describedby


def campos_formulario(
    form: Formulario | None, opcoes_da_pagina: Mapping[str, Mapping[str, str]]
) -> list[CampoFormulario]:
    """The Consulta Avançada's fields, in declared order; `opcoes_da_pagina` fills selects like the órgãos."""
    campos = []
    for campo in DECLARADOS:
        portal = campo.portal
        if portal.caixa_simples or not portal.no_formulario:
            continue
        opcoes = portal.opcoes if portal.opcoes is not None else opcoes_da_pagina.get(campo.nome)
        if portal.selecao and opcoes is None:
            opcoes = {}
        dica = f"{campo.nome}-dica" if portal.dica else None
        campos.append(
            CampoFormulario(
                nome=campo.nome,
                rotulo=portal.rotulo,
                valor="" if form is None or portal.sigiloso else form.valor(campo.nome),
                opcoes=list(opcoes.items()) if opcoes is not None else None,
                vazio=portal.vazio,
                max_length=campo.max_length,
                atributos=portal.atributos,
                dica=portal.dica,
                descrito_por=dica or portal.dica_comum,
            )
        )
    return campos


def nomes_declarados() -> dict[str, dict[str, str]]:
    """Readable values of the fields whose choices are declared (tipo, situacao, ordem)."""
    return {c.nome: dict(c.portal.opcoes) for c in DECLARADOS if c.portal.opcoes is not None}


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
    for campo in DECLARADOS:
        valor = form.valor(campo.nome)
        if campo.portal.filtro and valor and not campo.portal.sigiloso:
            exibido = nomes.get(campo.nome, {}).get(valor, valor)
            ativos.append(FiltroAtivo(campo.portal.filtro, exibido, form.url(**{campo.nome: ""})))
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


def grupos_facetas(form: Formulario, facetas: Facetas) -> list[GrupoFaceta]:
    """The facets of a result page as filter links (none for a search holding a CPF)."""
    if form.sensivel():
        return []
    grupos = []
    for campo in FACETAS:
        titulo = _POR_NOME[campo].portal.filtro or campo
        valores = []
        for v in getattr(facetas, campo):
            ativo = form.valor(campo) == v.valor
            url = form.url(**{campo: "" if ativo else v.valor})
            valores.append(ValorFaceta(v.rotulo or v.valor, v.quantidade, url, ativo))
        if valores:
            grupos.append(GrupoFaceta(campo, titulo, valores))
    return grupos
