"""Reference data on Kafka: the compacted topic keyed by órgão codigo, and a live view of it.

`publicar_referencia` upserts every órgão of a file; `remover_orgao` sends a tombstone.
"""

from __future__ import annotations

__all__ = ["ReferenciaViva", "ler_referencia", "publicar_referencia", "remover_orgao"]

from collections.abc import Iterable

from protocolo.avro import catalogo_padrao
from protocolo.referencia import Orgao, Referencia
from protocolo.registros import orgao_from_avro, orgao_to_avro
from protocolo.settings import KafkaSettings
from protocolo.topico_compactado import TabelaViva, gravar, ler_tabela


def publicar_referencia(settings: KafkaSettings, orgaos: Iterable[Orgao], *, timeout_s: float = 30.0) -> int:
    """Upsert órgãos on the reference topic; returns how many the broker acknowledged."""
    catalogo = catalogo_padrao()
    mensagens = [(o.codigo.encode(), catalogo.encode("orgao", orgao_to_avro(o))) for o in orgaos]
    return gravar(settings, settings.topics.referencia, mensagens, timeout_s=timeout_s)


def remover_orgao(settings: KafkaSettings, codigo: str, *, timeout_s: float = 30.0) -> None:
    """Send a tombstone: readers forget the órgão (compaction drops it for good on Kafka)."""
    gravar(settings, settings.topics.referencia, [(codigo.encode(), None)], timeout_s=timeout_s)


def _decodificar(valor: bytes) -> Orgao:
    return orgao_from_avro(catalogo_padrao().decode("orgao", valor))


def _visao(orgaos: dict[str, Orgao]) -> Referencia:
    return Referencia(tuple(orgaos.values()))


def ler_referencia(settings: KafkaSettings, *, timeout_s: float = 30.0) -> Referencia:
    """The whole reference topic as it is now."""
    return _visao(ler_tabela(settings, settings.topics.referencia, _decodificar, timeout_s=timeout_s))


class ReferenciaViva(TabelaViva[Orgao, Referencia]):
    """The current reference data, kept up to date by a background thread that follows the topic."""

    def __init__(self, settings: KafkaSettings) -> None:
        super().__init__(settings, settings.topics.referencia, _decodificar, _visao)
