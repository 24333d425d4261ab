"""Compacted topics read whole, as tables: once (`ler_tabela`) or followed live (`TabelaViva`).

Readers read every partition from the beginning with no consumer group (protocolo.leitura), and
know they have read the topic whole when every partition reported its end. A null value
(tombstone) removes its key.
"""

from __future__ import annotations

__all__ = ["Decodificador", "TabelaViva", "gravar", "ler_tabela"]

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from confluent_kafka import KafkaException, Message

from protocolo.errors import CodecError
from protocolo.kafka import make_producer
from protocolo.leitura import Leitor, ler_ate_o_fim
from protocolo.produce import produce_and_wait
from protocolo.settings import KafkaSettings

logger = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")
Decodificador = Callable[[bytes], T]


def gravar(
    settings: KafkaSettings,
    topico: str,
    mensagens: Sequence[tuple[bytes, bytes | None]],
    *,
    timeout_s: float = 30.0,
) -> int:
    """Produce keyed records (None = tombstone), wait for every ack; NotAcknowledged if any fails."""
    producer = make_producer(settings, **{"message.timeout.ms": int(timeout_s * 1000)})
    produce_and_wait(producer, topico, mensagens, timeout_s=timeout_s)
    return len(mensagens)


class _Tabela(Generic[T]):
    """A compacted topic's table: key -> latest decoded value, built one message at a time."""

    def __init__(self, topico: str, decodificar: Decodificador[T]) -> None:
        self.topico = topico
        self.decodificar = decodificar
        self.valores: dict[str, T] = {}

    def aplicar(self, mensagem: Message) -> bool:
        """Apply one message (a tombstone removes its key); True when the table changed."""
        chave = (mensagem.key() or b"").decode()
        valor = mensagem.value()
        if valor is None:
            return self.valores.pop(chave, None) is not None
        try:
            self.valores[chave] = self.decodificar(valor)
        except (CodecError, KeyError, ValueError) as exc:
            logger.error(
                "record skipped topic=%s partition=%s offset=%s reason=%s",
                self.topico,
                mensagem.partition(),
                mensagem.offset(),
                exc,
            )
            return False
        return True


def ler_tabela(
    settings: KafkaSettings, topico: str, decodificar: Decodificador[T], *, timeout_s: float = 30.0
) -> dict[str, T]:
    """The whole compacted topic as it is now: key -> latest decoded value."""
    tabela = _Tabela(topico, decodificar)
    for mensagem in ler_ate_o_fim(settings, topico, limite_s=timeout_s):
        tabela.aplicar(mensagem)
    return tabela.valores


class TabelaViva(Generic[T, V]):
    """A view of a compacted topic kept current by a background thread.

    `visao` turns the table (key -> value) into what readers use; it is rebuilt after each change
    and swapped in whole, so readers never see half an update.
    """

    def __init__(
        self,
        settings: KafkaSettings,
        topico: str,
        decodificar: Decodificador[T],
        visao: Callable[[dict[str, T]], V],
    ) -> None:
        self._settings = settings
        self._topico = topico
        self._decodificar = decodificar
        self._visao = visao
        self._atual = visao({})
        self._carregada = threading.Event()
        self._parar = threading.Event()
        self._thread = threading.Thread(target=self._seguir, name=f"tabela-{topico}", daemon=True)

    @property
    def atual(self) -> V:
        """The latest complete view."""
        return self._atual

    @property
    def carregada(self) -> bool:
        """The topic was read to its end at least once."""
        return self._carregada.is_set()

    def iniciar(self, *, timeout_s: float = 30.0) -> bool:
        """Start following the topic and wait until it was read to the end once; False on timeout."""
        self._thread.start()
        carregada = self._carregada.wait(timeout_s)
        if not carregada:
            logger.warning(
                "topic=%s not read to the end in %.0f s; the view is partial", self._topico, timeout_s
            )
        return carregada

    def parar(self) -> None:
        """Stop following (the view stays as it was)."""
        self._parar.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _seguir(self) -> None:
        while not self._parar.is_set():
            try:
                leitor = Leitor(self._settings, self._topico)
            except KafkaException as exc:
                logger.warning("topic=%s unavailable, retrying error=%s", self._topico, exc)
                self._parar.wait(1.0)
                continue
            with leitor:
                self._acompanhar(leitor, _Tabela(self._topico, self._decodificar))

    def _acompanhar(self, leitor: Leitor, tabela: _Tabela[T]) -> None:
        mudou = False
        while not self._parar.is_set():
            for mensagem in leitor.ler(0.5):
                mudou = tabela.aplicar(mensagem) or mudou
            if leitor.no_fim and (mudou or not self._carregada.is_set()):
                self._atual = self._visao(dict(tabela.valores))
                mudou = False
                if not self._carregada.is_set():
                    logger.info("topic=%s loaded keys=%d", self._topico, len(tabela.valores))
                    self._carregada.set()
