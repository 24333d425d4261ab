"""Messages of a replay as rows: which record each topic holds, decoding, filters. Pure.

A row is the record read into its current schema (each message names its own writer schema by
fingerprint, see protocolo.avro) with four columns in front that say where it came from:
`kafka_topico`, `kafka_particao`, `kafka_offset` and `kafka_carimbo` (the message's timestamp).
The dead letters' own `topico`/`particao`/`offset` name the rejected message, hence the prefix.
"""

from __future__ import annotations

__all__ = [
    "ALIASES",
    "Campos",
    "Filtro",
    "TopicoDesconhecido",
    "campos_de",
    "decodificar",
    "linha",
    "resolver_topico",
]

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from protocolo.avro import Catalogo
from protocolo.errors import CodecError, InvalidNup, ProtocoloError
from protocolo.geracao import DERIVADOS, nome_na_geracao
from protocolo.nup import parse_nup
from streams.intake import Rejeicao, decodificar_evento

if TYPE_CHECKING:
    # Only a type here: the decoding workers import this module, and the settings cost ~20 MB each.
    from protocolo.settings import TopicSettings

ALIASES = ("eventos", "dlq", "movimentos", "processos")

# TopicSettings field -> the record its messages hold.
_REGISTRO = {
    "eventos": "evento",
    "dlq": "dead_letter",
    "dlq_indexacao": "dead_letter",
    "movimentos": "movimento",
    "processos": "processo",
    "inscricoes": "inscricao",
    "enviadas": "notificacao",
    "devolucoes": "devolucao",
    "referencia": "orgao",
    "credenciais": "credencial",
}


class TopicoDesconhecido(ProtocoloError, ValueError):
    """A topic that is neither an alias nor one of protocolo's topics (pt-BR message)."""


def resolver_topico(nome: str, topicos: TopicSettings) -> tuple[str, str]:
    """(topic name, record name) of an alias or of one of the settings' topic names.

    A derived topic (processos, movimentos, dlq) is known by its name in any generation
    (`tramitacao.movimentos.v2`), so an audit can still read a generation a rebuild replaced.
    """
    if nome in ALIASES:
        return getattr(topicos, nome), _REGISTRO[nome]
    for campo, registro in _REGISTRO.items():
        configurado = getattr(topicos, campo)
        if configurado == nome or (
            campo in DERIVADOS and nome_na_geracao(nome, 1) == nome_na_geracao(configurado, 1)
        ):
            return nome, registro
    conhecidos = ", ".join([*ALIASES, *(getattr(topicos, c) for c in _REGISTRO)])
    raise TopicoDesconhecido(f"tópico desconhecido: {nome!r}; use um destes: {conhecidos}")


def decodificar(catalogo: Catalogo, registro: str, valor: bytes | None) -> dict[str, Any]:
    """One message's value read into the current schema of `registro`; CodecError when it cannot be."""
    if registro == "evento":
        # The raw topic is read exactly as the streams read it.
        lido = decodificar_evento(catalogo, valor)
        if isinstance(lido, Rejeicao):
            raise CodecError(f"{lido.codigo}: {lido.motivo}")
        return lido
    if not valor:
        raise CodecError("mensagem vazia (tombstone)")
    return catalogo.decode(registro, valor)


def linha(
    *, topico: str, particao: int, offset: int, carimbo_ms: int, registro: dict[str, Any]
) -> dict[str, Any]:
    """The output row of a decoded message."""
    return {
        "kafka_topico": topico,
        "kafka_particao": particao,
        "kafka_offset": offset,
        "kafka_carimbo": datetime.fromtimestamp(max(carimbo_ms, 0) / 1000, UTC),
        **registro,
    }


@dataclass(frozen=True)
class Campos:
    """What the filters look at in a record: its órgãos, its NUP (as written) and its operation."""

    orgaos: tuple[str, ...] = ()
    nup: str | None = None
    operacao: str | None = None


def _campos_do_registro(nome: str, registro: dict[str, Any]) -> Campos:
    orgaos = tuple(o for o in (registro.get("orgao"), registro.get("orgao_atual")) if isinstance(o, str))
    operacao = registro.get("ultima_operacao") if nome == "processo" else registro.get("operacao")
    nup = registro.get("nup")
    return Campos(
        orgaos, nup if isinstance(nup, str) else None, operacao if isinstance(operacao, str) else None
    )


def campos_de(catalogo: Catalogo, nome: str, registro: dict[str, Any]) -> Campos:
    """The filterable fields of a record; a dead letter's are those of the message it holds, if readable."""
    if nome != "dead_letter":
        return _campos_do_registro(nome, registro)
    valor = registro.get("valor")
    chave = registro.get("chave")
    nup_da_chave = chave.decode(errors="replace") if isinstance(chave, bytes) else None
    escritor = catalogo.nome_escritor(valor) if isinstance(valor, bytes) else None
    if escritor is None:
        return Campos(nup=nup_da_chave)
    try:
        campos = _campos_do_registro(escritor, catalogo.decode(escritor, valor))  # type: ignore[arg-type]
    except CodecError:
        return Campos(nup=nup_da_chave)
    return campos if campos.nup else Campos(campos.orgaos, nup_da_chave, campos.operacao)


def _digitos(nup: str) -> str | None:
    try:
        return parse_nup(nup).digitos
    except InvalidNup:
        return None


@dataclass(frozen=True)
class Filtro:
    """--orgao, --nup (digits of any accepted format) and --operacao; None lets everything through."""

    orgao: str | None = None
    nup_digitos: str | None = None
    operacao: str | None = None

    @property
    def vazio(self) -> bool:
        """No filter at all: rows need not be looked at."""
        return self.orgao is None and self.nup_digitos is None and self.operacao is None

    def aceita(self, campos: Campos) -> bool:
        """Whether a record with these fields passes every filter given."""
        if self.orgao is not None and self.orgao not in campos.orgaos:
            return False
        if self.operacao is not None and (campos.operacao or "").upper() != self.operacao.upper():
            return False
        if self.nup_digitos is not None:
            return campos.nup is not None and _digitos(campos.nup) == self.nup_digitos
        return True
