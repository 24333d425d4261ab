"""The event contract: turn an agency's JSON object into an Evento, or list every violation. Pure."""

from __future__ import annotations

__all__ = ["CAMPOS", "evento_from_json", "evento_to_json", "unidade_to_json"]

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from protocolo.documentos import is_cnpj, is_cpf, so_digitos
from protocolo.errors import InvalidEvent, InvalidNup, Violation
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import parse_nup

CAMPOS = frozenset(
    {
        "id",
        "orgao",
        "nup",
        "tipo",
        "operacao",
        "ocorrido_em",
        "unidade_origem",
        "unidade_destino",
        "especie",
        "assunto",
        "interessados",
        "nivel_acesso",
        "observacao",
        "nup_relacionado",
    }
)

# Which fields each operation cannot do without, beyond the ones every event has.
_EXIGIDOS: dict[Operacao, tuple[str, ...]] = {
    Operacao.AUTUACAO: ("unidade_origem", "assunto"),
    Operacao.ENVIO: ("unidade_origem", "unidade_destino"),
    Operacao.RECEBIMENTO: ("unidade_destino",),
    Operacao.ANEXACAO: ("nup_relacionado",),
    Operacao.DESANEXACAO: ("nup_relacionado",),
    Operacao.RELACIONAMENTO: ("nup_relacionado",),
    Operacao.JUNTADA: ("nup_relacionado",),
}

_E = TypeVar("_E", TipoProtocolo, NivelAcesso, Operacao)

_TOLERANCIA_FUTURO = timedelta(hours=1)
_MAX_TEXTO = 4000


class _EventoParser:
    """Reads fields of one JSON object, collecting violations instead of stopping at the first."""

    def __init__(self, dados: Mapping[str, Any], agora: datetime) -> None:
        self.dados = dados
        self.agora = agora
        self.violacoes: list[Violation] = []

    def falha(self, campo: str, motivo: str) -> None:
        self.violacoes.append(Violation(campo, motivo))

    def texto(self, campo: str, *, obrigatorio: bool, maximo: int = 200, valor: Any = None) -> str | None:
        bruto = self.dados.get(campo) if valor is None else valor
        if type(bruto) is str and len(bruto) <= maximo:  # the common case, checked once (hot path)
            limpo = bruto.strip()
            if limpo:
                return limpo
        if bruto is None or (isinstance(bruto, str) and not bruto.strip()):
            if obrigatorio:
                self.falha(campo, "campo obrigatório ausente")
            return None
        if not isinstance(bruto, str):
            self.falha(campo, f"deve ser texto, recebido {type(bruto).__name__}")
            return None
        if len(bruto) > maximo:
            self.falha(campo, f"texto longo demais ({len(bruto)} caracteres; máximo {maximo})")
            return None
        return bruto.strip()

    def enum(self, campo: str, tipo: type[_E]) -> _E | None:
        bruto = self.texto(campo, obrigatorio=True, maximo=50)
        if bruto is None:
            return None
        try:
            return tipo(bruto.upper())
        except ValueError:
            validos = ", ".join(m.value for m in tipo)
            self.falha(campo, f"valor '{bruto}' desconhecido; valores aceitos: {validos}")
            return None

    def nup(self, campo: str, *, obrigatorio: bool) -> str | None:
        bruto = self.texto(campo, obrigatorio=obrigatorio, maximo=40)
        if bruto is None:
            return None
        try:
            return parse_nup(bruto).digitos
        except InvalidNup as exc:
            self.falha(campo, str(exc))
            return None

    def data(self, campo: str) -> datetime | None:
        bruto = self.texto(campo, obrigatorio=True, maximo=40)
        if bruto is None:
            return None
        try:
            quando = datetime.fromisoformat(bruto.replace("Z", "+00:00"))
        except ValueError:
            self.falha(campo, f"data inválida '{bruto}'; use RFC 3339, ex. 2024-03-05T14:30:00-03:00")
            return None
        if quando.tzinfo is None:
            self.falha(campo, "a data precisa do fuso horário, ex. 2024-03-05T14:30:00-03:00")
            return None
        if quando.year < 1900:
            self.falha(campo, f"data implausível: {bruto}")
            return None
        if quando > self.agora + _TOLERANCIA_FUTURO:
            self.falha(campo, f"data no futuro: {bruto}")
            return None
        return quando

    def unidade(self, campo: str) -> Unidade | None:
        bruto = self.dados.get(campo)
        if bruto is None:
            return None
        if not isinstance(bruto, Mapping):
            self.falha(campo, "deve ser um objeto com codigo, sigla e nome")
            return None
        codigo = self.texto(f"{campo}.codigo", obrigatorio=True, maximo=50, valor=bruto.get("codigo"))
        sigla = self.texto(f"{campo}.sigla", obrigatorio=False, maximo=50, valor=bruto.get("sigla"))
        nome = self.texto(f"{campo}.nome", obrigatorio=False, maximo=300, valor=bruto.get("nome"))
        return Unidade(codigo=codigo, sigla=sigla, nome=nome) if codigo else None

    def interessados(self) -> tuple[Interessado, ...]:
        bruto = self.dados.get("interessados")
        if bruto is None:
            return ()
        if not isinstance(bruto, list):
            self.falha("interessados", "deve ser uma lista de objetos {nome, documento}")
            return ()
        lidos: list[Interessado] = []
        for i, item in enumerate(bruto):
            campo = f"interessados[{i}]"
            if not isinstance(item, Mapping):
                self.falha(campo, "deve ser um objeto {nome, documento}")
                continue
            nome = self.texto(f"{campo}.nome", obrigatorio=True, maximo=300, valor=item.get("nome"))
            documento = self.documento(f"{campo}.documento", item.get("documento"))
            if nome:
                lidos.append(Interessado(nome=nome, documento=documento))
        return tuple(lidos)

    def documento(self, campo: str, bruto: Any) -> str | None:
        texto = self.texto(campo, obrigatorio=False, maximo=30, valor=bruto)
        if texto is None:
            return None
        digitos = so_digitos(texto)
        if len(digitos) == 11 and is_cpf(digitos):
            return digitos
        if len(digitos) == 14 and is_cnpj(digitos):
            return digitos
        if len(digitos) in (11, 14):
            self.falha(campo, "CPF ou CNPJ com dígitos verificadores incorretos")
        else:
            self.falha(campo, f"deve ser um CPF (11 dígitos) ou CNPJ (14 dígitos); recebidos {len(digitos)}")
        return None


def evento_from_json(dados: Any, *, agora: datetime | None = None) -> Evento:
    """Validate one event in its JSON form; raise InvalidEvent listing every violation."""
    if not isinstance(dados, Mapping):
        raise InvalidEvent([Violation("evento", "deve ser um objeto JSON")])
    parser = _EventoParser(dados, agora or datetime.now(UTC))
    for desconhecido in sorted(set(dados) - CAMPOS):
        parser.falha(desconhecido, "campo desconhecido")
    id_ = parser.texto("id", obrigatorio=True, maximo=100)
    orgao = parser.texto("orgao", obrigatorio=True, maximo=20)
    nup = parser.nup("nup", obrigatorio=True)
    tipo = parser.enum("tipo", TipoProtocolo)
    operacao = parser.enum("operacao", Operacao)
    ocorrido_em = parser.data("ocorrido_em")
    nivel = parser.enum("nivel_acesso", NivelAcesso)
    origem = parser.unidade("unidade_origem")
    destino = parser.unidade("unidade_destino")
    especie = parser.texto("especie", obrigatorio=False, maximo=200)
    assunto = parser.texto("assunto", obrigatorio=False, maximo=_MAX_TEXTO)
    interessados = parser.interessados()
    observacao = parser.texto("observacao", obrigatorio=False, maximo=_MAX_TEXTO)
    relacionado = parser.nup("nup_relacionado", obrigatorio=False)
    if operacao is not None:
        presentes = {"unidade_origem": origem, "unidade_destino": destino, "assunto": assunto}
        presentes["nup_relacionado"] = relacionado
        for campo in _EXIGIDOS.get(operacao, ()):
            if presentes[campo] is None and not any(v.campo.startswith(campo) for v in parser.violacoes):
                parser.falha(campo, f"obrigatório na operação {operacao.value}")
    if relacionado is not None and relacionado == nup:
        parser.falha("nup_relacionado", "não pode ser o próprio NUP do evento")
    if parser.violacoes:
        raise InvalidEvent(parser.violacoes)
    assert id_ and orgao and nup and tipo and operacao and ocorrido_em and nivel  # narrowed by the checks
    return Evento(
        id=id_,
        orgao=orgao,
        nup=nup,
        tipo=tipo,
        operacao=operacao,
        ocorrido_em=ocorrido_em,
        nivel_acesso=nivel,
        unidade_origem=origem,
        unidade_destino=destino,
        especie=especie,
        assunto=assunto,
        interessados=interessados,
        observacao=observacao,
        nup_relacionado=relacionado,
    )


def unidade_to_json(unidade: Unidade | None) -> dict[str, str | None] | None:
    """A Unidade in its JSON (and Avro) form, or None."""
    if unidade is None:
        return None
    return {"codigo": unidade.codigo, "sigla": unidade.sigla, "nome": unidade.nome}


def evento_to_json(evento: Evento) -> dict[str, Any]:
    """The JSON form of an event, as agencies write it (inverse of evento_from_json)."""
    return {
        "id": evento.id,
        "orgao": evento.orgao,
        "nup": evento.nup,
        "tipo": evento.tipo.value,
        "operacao": evento.operacao.value,
        "ocorrido_em": evento.ocorrido_em.isoformat(),
        "nivel_acesso": evento.nivel_acesso.value,
        "unidade_origem": unidade_to_json(evento.unidade_origem),
        "unidade_destino": unidade_to_json(evento.unidade_destino),
        "especie": evento.especie,
        "assunto": evento.assunto,
        "interessados": [{"nome": i.nome, "documento": i.documento} for i in evento.interessados],
        "observacao": evento.observacao,
        "nup_relacionado": evento.nup_relacionado,
    }
