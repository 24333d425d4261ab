"""Generations of the derived topics: their names, the active-generation pointer and its codec. Pure.

Generation 1 is the plain names (`tramitacao.processos`, app id `<prefix>-streams`). A rebuild runs the
streams again over the raw events as generation N + 1: new topic versions (`tramitacao.processos.v2`)
and a new Faust app id (`<prefix>-streams-v2`), hence new tables and changelogs, so nothing of the
generation still running is read or overwritten.

Which generation the services run is recorded on one compacted topic (`TopicSettings.geracao`):
- key `geracao`: the pointer, written only by `protocolo rebuild`, after its reindex swapped the aliases;
- key `servico/<name>/<instance>`: one service instance's report of the generation it runs on, written
  by that instance at start and removed (tombstone) when it stops; the rebuild waits for them.
A process whose settings pin the generation (`PROTOCOLO_STREAMS_GERACAO` set) ignores the pointer.
"""

from __future__ import annotations

__all__ = [
    "CHAVE_PONTEIRO",
    "DERIVADOS",
    "STATUS_TROCA",
    "Confirmacao",
    "Ponteiro",
    "chave_confirmacao",
    "codificar_confirmacao",
    "codificar_ponteiro",
    "confirmacoes",
    "decodificar",
    "geracao_fixada",
    "na_geracao",
    "nome_na_geracao",
    "ponteiro_de",
    "servico_na_geracao",
    "servicos_em",
    "servicos_pendentes",
]

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from protocolo.settings import Settings

_SUFIXO = re.compile(r"\.v\d+$")

CHAVE_PONTEIRO = "geracao"
"""The key of the pointer record on the generation topic."""
_PREFIXO_SERVICO = "servico/"

STATUS_TROCA = 75
"""Exit status of a service that stopped to come back on another generation (EX_TEMPFAIL): restart it."""

DERIVADOS = ("processos", "movimentos", "dlq")
"""The topic settings whose names change with the generation."""


def nome_na_geracao(topico: str, geracao: int) -> str:
    """The name of a derived topic in one generation (any `.v<N>` suffix it had is replaced)."""
    base = _SUFIXO.sub("", topico)
    return base if geracao == 1 else f"{base}.v{geracao}"


def servico_na_geracao(servico: str, geracao: int) -> str:
    """The service name (consumer group, Faust app id) of one generation of the streams."""
    return servico if geracao == 1 else f"{servico}-v{geracao}"


@dataclass(frozen=True)
class Ponteiro:
    """The active generation and the derived topic names the rebuild wrote it with."""

    geracao: int
    topicos: Mapping[str, str]
    em: str  # UTC, RFC 3339: when the rebuild switched


@dataclass(frozen=True)
class Confirmacao:
    """One service instance's report: it runs on `geracao` (since `em`)."""

    servico: str
    instancia: str
    geracao: int
    em: str


def codificar_ponteiro(geracao: int, settings: Settings, *, agora: datetime) -> tuple[bytes, bytes]:
    """The pointer record (key, value) that makes `geracao` active, with `settings`' topic names in it."""
    topicos = settings.kafka.topics
    valor = {
        "geracao": geracao,
        "topicos": {campo: nome_na_geracao(getattr(topicos, campo), geracao) for campo in DERIVADOS},
        "em": agora.isoformat(),
    }
    return CHAVE_PONTEIRO.encode(), json.dumps(valor, sort_keys=True).encode()


def chave_confirmacao(servico: str, instancia: str) -> str:
    """The key of one service instance's report on the generation topic."""
    return f"{_PREFIXO_SERVICO}{servico}/{instancia}"


def codificar_confirmacao(geracao: int, *, agora: datetime) -> bytes:
    """The value of one service instance's report."""
    return json.dumps({"geracao": geracao, "em": agora.isoformat()}, sort_keys=True).encode()


def decodificar(valor: bytes) -> dict[str, Any]:
    """One record's value (pointer or report); ValueError when it is not one."""
    registro = json.loads(valor)
    if not isinstance(registro, dict):
        raise ValueError("registro de geração que não é um objeto JSON")
    geracao = registro.get("geracao")
    if not isinstance(geracao, int) or isinstance(geracao, bool) or geracao < 1:
        raise ValueError("registro de geração sem um número de geração válido")
    return {str(chave): v for chave, v in registro.items()}


def ponteiro_de(tabela: Mapping[str, Mapping[str, Any]]) -> Ponteiro | None:
    """The pointer in the generation topic's table (key -> decoded value), if the rebuild ever wrote one."""
    registro = tabela.get(CHAVE_PONTEIRO)
    if registro is None:
        return None
    topicos = registro.get("topicos")
    return Ponteiro(
        geracao=int(registro["geracao"]),
        topicos=dict(topicos) if isinstance(topicos, dict) else {},
        em=str(registro.get("em", "")),
    )


def confirmacoes(tabela: Mapping[str, Mapping[str, Any]]) -> list[Confirmacao]:
    """Every live service instance's report in the generation topic's table, sorted by key."""
    relatos = []
    for chave, registro in sorted(tabela.items()):
        servico, _, instancia = chave.removeprefix(_PREFIXO_SERVICO).partition("/")
        if chave.startswith(_PREFIXO_SERVICO) and servico and instancia:
            geracao, em = int(registro["geracao"]), str(registro.get("em", ""))
            relatos.append(Confirmacao(servico, instancia, geracao, em))
    return relatos


def geracao_fixada(settings: Settings) -> bool:
    """Whether the settings pin the generation (PROTOCOLO_STREAMS_GERACAO set): the pointer is ignored."""
    return "geracao" in settings.streams.model_fields_set


def na_geracao(settings: Settings, geracao: int) -> Settings:
    """`settings` on generation `geracao`: its derived topic names with that suffix, its groups and app id.

    The names are derived from the configured ones (set or default), as the rebuild derived them, so an
    explicit `PROTOCOLO_TOPIC_PROCESSOS=org.processos` runs `org.processos.v2` on generation 2.
    """
    topicos = settings.kafka.topics
    novos = {campo: nome_na_geracao(getattr(topicos, campo), geracao) for campo in DERIVADOS}
    kafka = settings.kafka.model_copy(update={"topics": topicos.model_copy(update=novos)})
    streams = settings.streams.model_copy(update={"geracao": geracao})
    return settings.model_copy(update={"kafka": kafka, "streams": streams})


def servicos_em(relatos: Iterable[Confirmacao], geracao: int) -> set[str]:
    """The services with at least one live instance reporting `geracao`."""
    return {r.servico for r in relatos if r.geracao == geracao}


def servicos_pendentes(esperados: Iterable[str], relatos: Iterable[Confirmacao], geracao: int) -> set[str]:
    """Of the services that ran before a switch, those no instance of which reports `geracao` yet.

    One instance per service is enough: an instance killed without withdrawing its report (SIGKILL,
    a lost node) stays on the old generation in the table, and must not hold the switch forever.
    """
    return set(esperados) - servicos_em(relatos, geracao)
