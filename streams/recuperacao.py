"""Finish a table's recovery to the true end of its changelog partitions.

Faust stops recovering a table at the end offset the broker reports through ListOffsets. The local
broker (Tansu) reports the last *batch*'s first offset + 1, so recovery can stop a few records short,
and those processos would lose events whose source offsets were already
committed. After Faust's recovery, this reads each changelog partition the worker now owns from
where Faust stopped to the high watermark that fetch responses carry (right on every broker), and
applies what it finds. On real Kafka it finds nothing: one short read per partition.
"""

from __future__ import annotations

__all__ = ["completar_recuperacao"]

import asyncio
import logging
from typing import Any

import faust
from faust.types.tuples import Message

from protocolo.leitura import ler_ate_o_fim
from protocolo.settings import KafkaSettings

logger = logging.getLogger(__name__)


class _Registro:
    """The shape Faust's store expects of a changelog event: key, value and message."""

    def __init__(self, tabela: Any, app: faust.App, mensagem: Message) -> None:
        esquema = tabela.changelog_topic.schema
        self.message = mensagem
        self.key = esquema.loads_key(app, mensagem)
        self.value = esquema.loads_value(app, mensagem) if mensagem.value is not None else None


def _ler_cauda(
    kafka: KafkaSettings, topico: str, inicios: dict[int, int], prazo_s: float = 30.0
) -> list[Message]:
    """The changelog records from `inicios` (partition -> offset) to the end, within `prazo_s`."""
    mensagens: list[Message] = []
    try:
        for m in ler_ate_o_fim(kafka, topico, inicio=inicios, limite_s=prazo_s):
            _tipo, carimbo = m.timestamp()
            mensagens.append(
                Message(
                    m.topic() or "",
                    m.partition() or 0,
                    m.offset() or 0,
                    carimbo / 1000,
                    0,
                    None,
                    m.key(),
                    m.value(),
                    None,
                )
            )
    except TimeoutError:
        # Never hold the worker: what Faust recovered is what it would have had anyway.
        logger.warning(
            "changelog tail not read to the end in time topic=%s partitions=%s", topico, sorted(inicios)
        )
    return mensagens


async def completar_recuperacao(app: faust.App, tabela: Any, kafka: KafkaSettings) -> int:
    """Apply the changelog records past Faust's recovery; returns how many there were."""
    recovery = app.tables.recovery  # type: ignore[attr-defined]
    particoes = recovery.actives_for_table.get(tabela, set())
    if not particoes:
        return 0
    (topico,) = {tp.topic for tp in particoes}  # a table has one changelog topic
    inicios = {tp.partition: max(0, recovery.active_offsets.get(tp, -1) + 1) for tp in particoes}
    mensagens = await asyncio.get_running_loop().run_in_executor(None, _ler_cauda, kafka, topico, inicios)
    if mensagens:
        tabela.apply_changelog_batch([_Registro(tabela, app, m) for m in mensagens])
        logger.warning(
            "table recovery completed past the reported end table=%s records=%d", tabela.name, len(mensagens)
        )
    return len(mensagens)
