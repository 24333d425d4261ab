"""The notifier's metrics: retries counted by the sender, the batch's queue, and the objects themselves."""

from __future__ import annotations

import smtplib
import threading
from email.message import EmailMessage

from notifier.lote import Envio
from notifier.metricas import Metricas
from notifier.sender import EnvioConcorrente
from protocolo.settings import NotifierSettings, SmtpSettings


class FakeSender:
    """A relay that drops the connection on the first `falhas` messages, then accepts everything."""

    def __init__(self, falhas: int) -> None:
        self.falhas = falhas
        self.enviadas: list[EmailMessage] = []
        self.lock = threading.Lock()

    def __call__(self, _settings: SmtpSettings) -> FakeSender:
        return self

    def enviar(self, mensagem: EmailMessage) -> None:
        with self.lock:
            if self.falhas:
                self.falhas -= 1
                raise smtplib.SMTPServerDisconnected("relay went away")
            self.enviadas.append(mensagem)

    def fechar(self) -> None:
        pass


def _envio(n: int) -> Envio:
    mensagem = EmailMessage()
    mensagem["To"] = f"pessoa{n}@example.org"
    return Envio(message_id=f"<{n}@protocolo>", chave=f"chave{n}", mensagem=mensagem)


def test_temporary_failures_are_counted_as_retries_and_the_queue_drains() -> None:
    metricas = Metricas()
    relay = FakeSender(falhas=2)
    envio = EnvioConcorrente(
        SmtpSettings(),
        NotifierSettings(concorrencia=1, espera_inicial_s=0.01, espera_max_s=0.02, emails_por_s=1000),
        lambda _e, _d: metricas.enviados.inc(),
        criar_sender=relay,  # type: ignore[arg-type]
        ao_repetir=metricas.retentativas.inc,
    )
    metricas.fila.set_function(lambda: envio.pendentes)
    try:
        desfechos = envio.enviar_lote([_envio(n) for n in range(3)])
    finally:
        envio.parar()
    assert desfechos is not None and len(desfechos) == 3
    assert metricas.registry.get_sample_value("protocolo_notifier_retentativas_total") == 2
    assert metricas.registry.get_sample_value("protocolo_notifier_enviados_total") == 3
    assert metricas.registry.get_sample_value("protocolo_notifier_fila") == 0


def test_no_metric_carries_an_address_or_a_key() -> None:
    metricas = Metricas()
    for metrica in metricas.registry.collect():
        for amostra in metrica.samples:
            assert set(amostra.labels) <= {"topic", "partition"}, amostra
