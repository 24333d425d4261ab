"""Search parameters, declared once: type, limits, pt-BR documentation, rule and portal label. Pure.

`BuscaParams` is the one declaration of every parameter of GET /api/v1/processos. The route reads
it as its query model (FastAPI documents each field in the OpenAPI from it), `validar_busca` runs
the same validation for the portal and the tools, and the portal's form is drawn from the
`NoPortal` labels. A new filter is one field here, plus its clause in consulta.py.

Each field's rule normalises its value or names what is wrong in pt-BR ("campo: motivo"); every
bad parameter is reported at once (api/validacao.py). The documento is never repeated in a message
nor shown by repr.
"""

from __future__ import annotations

__all__ = [
    "CAMPOS_DATA",
    "DESCRICAO_DATA",
    "FORMATOS_DATA",
    "MAX_PALAVRAS_FILTRO",
    "ORDENS",
    "ORDENS_ROTULOS",
    "BuscaParams",
    "ConsultaInvalida",
    "NoPortal",
    "ler_documento",
    "ler_orgao",
    "ler_periodo_param",
    "validar_busca",
    "valores_openapi",
]

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from api.busca.datas import Periodo, ler_periodo
from api.validacao import mensagem_de_erro, regra_invalida
from protocolo.documentos import is_cnpj, is_cpf, so_digitos
from protocolo.errors import InvalidNup, ProtocoloError
from protocolo.fold import Situacao
from protocolo.masking import mascarar_texto
from protocolo.model import TipoProtocolo
from protocolo.nup import parse_nup

Ordem = Literal["relevancia", "recentes", "antigos"]
CampoData = Literal["movimentacao", "autuacao", "atualizacao"]
ORDENS: tuple[Ordem, ...] = ("relevancia", "recentes", "antigos")
ORDENS_ROTULOS = {"relevancia": "Relevância", "recentes": "Mais recentes", "antigos": "Mais antigos"}
CAMPOS_DATA: tuple[CampoData, ...] = ("movimentacao", "autuacao", "atualizacao")

_ORGAO = re.compile(r"^[0-9A-Za-z._-]{1,20}$")
_DOCUMENTO = re.compile(r"^[\d.\-/\s]+$")
MAX_PALAVRAS_FILTRO = 16
FORMATOS_DATA = "use DD/MM/AAAA ou AAAA-MM-DD (ou só MM/AAAA, AAAA)"
DESCRICAO_DATA = f"Aceita {FORMATOS_DATA.removeprefix('use ')}; horário de Brasília"


class ConsultaInvalida(ProtocoloError, ValueError):
    """A search request with a parameter that cannot be used; the message is pt-BR for people."""


@dataclass(frozen=True)
class NoPortal:
    """How the portal's search form shows a field (pt-BR); fields without one are not in the portal.

    Args:
        rotulo: the form label.
        filtro: how an active filter and its facet are titled; None: never listed as a filter.
        opcoes: a select's choices (value -> label); None: a text field, or choices the page supplies.
        selecao: a select whose choices the page supplies (the órgãos of the reference data).
        vazio: a select's "any value" option.
        no_formulario: False: reached only through links (the year, from its facet).
        caixa_simples: the Consulta Simples box, drawn apart from the Consulta Avançada.
        criterio: False: not a search criterion by itself (the sort).
        sigiloso: never put into a URL nor written back into a page (a CPF/CNPJ).
        dica: a hint under the field; dica_comum: the id of a hint shared by several fields.
        atributos: extra attributes of the input (inputmode, autocomplete).
        invalido: the reason when what was typed is not a number in the field's range.
    """

    rotulo: str
    filtro: str | None = None
    opcoes: Mapping[str, str] | None = None
    selecao: bool = False
    vazio: str | None = None
    no_formulario: bool = True
    caixa_simples: bool = False
    criterio: bool = True
    sigiloso: bool = False
    dica: str | None = None
    dica_comum: str | None = None
    atributos: Mapping[str, str] = field(default_factory=dict)
    invalido: str | None = None


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


def _escolha(campo: str, opcoes: Iterable[str]) -> Callable[[str | None], str | None]:
    """A choice among `opcoes`, in any case."""
    validas = tuple(str(o) for o in opcoes)

    def ler(valor: str | None) -> str | None:
        valor = _texto(valor)
        if valor is None:
            return None
        normal = valor.upper() if validas[0].isupper() else valor.lower()
        if normal not in validas:
            lista = ", ".join(validas[:-1]) + " ou " + validas[-1]
            raise ConsultaInvalida(f"{campo}: use {lista}")
        return normal

    return ler


def _ler_nup(valor: str | None) -> str | None:
    valor = _texto(valor)
    if valor is None:
        return None
    try:
        return parse_nup(valor).digitos
    except InvalidNup as exc:
        raise ConsultaInvalida(f"nup: {exc}") from exc


def _nome(campo: str) -> Callable[[str | None], str | None]:
    """Words to match (at most MAX_PALAVRAS_FILTRO); a CPF typed among them never reaches the server."""

    def ler(valor: str | None) -> str | None:
        if len((valor or "").split()) > MAX_PALAVRAS_FILTRO:
            raise ConsultaInvalida(f"{campo}: use no máximo {MAX_PALAVRAS_FILTRO} palavras")
        texto = _texto(valor)
        return mascarar_texto(texto) if texto else None

    return ler


def _periodo(campo: str) -> Callable[[str | None], str | None]:
    def ler(valor: str | None) -> str | None:
        ler_periodo_param(valor, campo)
        return _texto(valor)

    return ler


def _regra(ler: Callable[[Any], Any]) -> AfterValidator:
    """A field's rule: its ConsultaInvalida becomes a validation error with the same pt-BR line."""

    def validar(valor: Any) -> Any:
        try:
            return ler(valor)
        except ConsultaInvalida as exc:
            raise regra_invalida(str(exc)) from None

    return AfterValidator(validar)


def _escolha_ou(campo: str, opcoes: tuple[str, ...]) -> BeforeValidator:
    """A choice with a default: absent or empty is the first option."""
    ler = _escolha(campo, opcoes)

    def validar(valor: Any) -> Any:
        if valor is None:
            return opcoes[0]
        if not isinstance(valor, str):
            return valor
        try:
            return ler(valor) or opcoes[0]
        except ConsultaInvalida as exc:
            raise regra_invalida(str(exc)) from None

    return BeforeValidator(validar)


def valores_openapi(valores: Iterable[str]) -> dict[str, Any]:
    """The accepted values, for the OpenAPI document (the rule accepts any case)."""
    return {"enum": [str(v) for v in valores]}


_Texto = AfterValidator(_texto)


class BuscaParams(BaseModel):
    """One search, as the query builders need it. Text values are stripped; empty means absent."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    q: Annotated[
        str | None,
        Field(
            max_length=500,
            description=(
                "Consulta Simples. Todas as palavras precisam aparecer (acentos, maiúsculas e pequenos erros "
                'de digitação não importam); `OU` entre termos aceita qualquer um deles; "entre aspas" busca '
                "a frase exata; uma data parcial (2011, 01/2011, 05/01/2011) encontra processos movimentados "
                "no período ou que a citam; um NUP em qualquer formato encontra o processo; um CPF ou CNPJ "
                "busca pelo interessado (nunca como texto)."
            ),
            examples=["aposentadoria OU pensão 2021"],
        ),
        _Texto,
        NoPortal("Número do processo (NUP), assunto, interessado ou órgão", caixa_simples=True),
    ] = None
    nup: Annotated[
        str | None,
        Field(max_length=40, description="NUP em qualquer formato aceito", examples=["23037.001462/2021-65"]),
        _regra(_ler_nup),
    ] = None
    interessado: Annotated[
        str | None,
        Field(
            max_length=200, description="Nome do interessado (todas as palavras)", examples=["Maria Souza"]
        ),
        _regra(_nome("interessado")),
        NoPortal("Nome do interessado", filtro="Interessado", atributos={"autocomplete": "off"}),
    ] = None
    documento: Annotated[
        str | None,
        Field(
            max_length=30,
            repr=False,
            description="CPF ou CNPJ do interessado, com ou sem pontuação; nunca é devolvido na resposta",
            examples=["529.982.247-25"],
        ),
        _regra(ler_documento),
        NoPortal(
            "CPF ou CNPJ do interessado",
            sigiloso=True,
            dica="Com ou sem pontuação. Não aparece no endereço da página nem nos resultados.",
            atributos={"inputmode": "numeric", "autocomplete": "off"},
        ),
    ] = None
    orgao: Annotated[
        str | None,
        Field(
            max_length=20,
            description="Código do órgão que autuou o processo ou onde ele está agora",
            examples=["26000"],
        ),
        _regra(ler_orgao),
        NoPortal("Órgão", filtro="Órgão", selecao=True, vazio="Todos os órgãos"),
    ] = None
    assunto: Annotated[
        str | None,
        Field(max_length=200, description="Palavras do assunto (todas)", examples=["licitação"]),
        _regra(_nome("assunto")),
        NoPortal("Assunto", filtro="Assunto"),
    ] = None
    tipo: Annotated[
        str | None,
        Field(
            description="PROCESSO ou DOCUMENTO",
            examples=["PROCESSO"],
            json_schema_extra=valores_openapi(TipoProtocolo),
        ),
        _regra(_escolha("tipo", TipoProtocolo)),
        NoPortal(
            "Tipo",
            filtro="Tipo",
            opcoes={TipoProtocolo.PROCESSO.value: "Processo", TipoProtocolo.DOCUMENTO.value: "Documento"},
            vazio="Processos e documentos",
        ),
    ] = None
    situacao: Annotated[
        str | None,
        Field(
            description="EM_TRAMITACAO, CONCLUIDO, ARQUIVADO, SOBRESTADO ou ANEXADO",
            examples=["EM_TRAMITACAO"],
            json_schema_extra=valores_openapi(Situacao),
        ),
        _regra(_escolha("situacao", Situacao)),
        NoPortal(
            "Situação",
            filtro="Situação",
            opcoes={s.value: s.descricao for s in Situacao},
            vazio="Qualquer situação",
        ),
    ] = None
    ano: Annotated[
        int | None,
        Field(ge=1900, le=2100, description="Ano de autuação", examples=[2021]),
        NoPortal(
            "Ano de autuação",
            filtro="Ano de autuação",
            no_formulario=False,
            invalido="informe um ano com quatro dígitos, entre 1900 e 2100",
        ),
    ] = None
    desde: Annotated[
        str | None,
        Field(max_length=10, description=f"Início do período. {DESCRICAO_DATA}", examples=["01/01/2021"]),
        _regra(_periodo("desde")),
        NoPortal("Movimentado desde", filtro="Desde", dica_comum="datas-dica"),
    ] = None
    ate: Annotated[
        str | None,
        Field(
            max_length=10,
            description=f"Fim do período (inclusive). {DESCRICAO_DATA}",
            examples=["2021-12-31"],
        ),
        _regra(_periodo("ate")),
        NoPortal("Movimentado até", filtro="Até", dica_comum="datas-dica"),
    ] = None
    campo_data: Annotated[
        CampoData,
        Field(
            description=(
                "A que data `desde`/`ate` se aplicam: movimentacao (qualquer movimento no período, padrão), "
                "autuacao ou atualizacao (último movimento)"
            ),
            examples=["autuacao"],
        ),
        _escolha_ou("campo_data", CAMPOS_DATA),
    ] = "movimentacao"
    ordem: Annotated[
        Ordem,
        Field(
            description=(
                "relevancia (padrão; sem texto, igual a recentes), recentes (último movimento mais novo "
                "primeiro) ou antigos"
            ),
            examples=["recentes"],
        ),
        _escolha_ou("ordem", ORDENS),
        NoPortal("Ordenar por", opcoes=ORDENS_ROTULOS, criterio=False),
    ] = "relevancia"
    tamanho: Annotated[int, Field(ge=1, le=100, description="Resultados por página", examples=[20])] = 20
    cursor: Annotated[
        str | None,
        Field(
            max_length=600,
            description="`proximo_cursor` da página anterior, com os mesmos demais parâmetros",
            examples=["eyJuIjoyMCwi..."],
        ),
        _Texto,
    ] = None
    inicio: Annotated[
        int,
        Field(ge=0, le=10_000, description="Posição do primeiro resultado (prefira `cursor`)", examples=[0]),
    ] = 0
    facetas: Annotated[
        bool,
        Field(
            description="false: não calcula as facetas (mais rápido para percorrer páginas com o cursor)",
            examples=[True],
        ),
    ] = True

    @field_validator("ate")
    @classmethod
    def _depois_de_desde(cls, ate: str | None, info: ValidationInfo) -> str | None:
        desde = ler_periodo(info.data["desde"]) if info.data.get("desde") else None
        fim = ler_periodo(ate) if ate else None
        if desde and fim and desde.inicio >= fim.fim:
            raise regra_invalida("desde: deve ser anterior ou igual a ate")
        return ate

    @field_validator("inicio")
    @classmethod
    def _cursor_ou_inicio(cls, inicio: int, info: ValidationInfo) -> int:
        if inicio and info.data.get("cursor"):
            raise regra_invalida("cursor: use o cursor ou inicio, não os dois")
        return inicio

    @property
    def periodo_desde(self) -> Periodo | None:
        """The period `desde` names (its start bounds the search)."""
        return ler_periodo(self.desde) if self.desde else None

    @property
    def periodo_ate(self) -> Periodo | None:
        """The period `ate` names (its end bounds the search)."""
        return ler_periodo(self.ate) if self.ate else None

    def chave(self) -> str:
        """What identifies the result list (everything but the page and facets): cursors are bound to it.

        Holds the documento: use it only as HMAC input, never show or log it.
        """
        valores: dict[str, Any] = {nome: getattr(self, nome) for nome in type(self).model_fields}
        for pagina in ("tamanho", "inicio", "cursor", "facetas"):
            valores.pop(pagina)
        for nome, periodo in (("desde", self.periodo_desde), ("ate", self.periodo_ate)):
            valores[nome] = [periodo.inicio_iso, periodo.fim_iso] if periodo else None
        return json.dumps(valores, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def validar_busca(**valores: Any) -> BuscaParams:
    """Check and normalise every parameter; ConsultaInvalida lists everything wrong at once."""
    desconhecidos = set(valores) - set(BuscaParams.model_fields)
    if desconhecidos:
        raise TypeError(f"unknown search parameters: {', '.join(sorted(desconhecidos))}")
    try:
        return BuscaParams.model_validate(valores)
    except ValidationError as exc:
        # `from None`: pydantic's own message repeats the input, and the documento must not travel.
        raise ConsultaInvalida("; ".join(mensagem_de_erro(e) for e in exc.errors())) from None
