"""Sends e-mails through an SMTP relay: concurrent workers, one connection each, at a bounded rate.

A message that fails temporarily is retried after a backoff while the workers keep sending the
rest; a batch is done when every message was accepted or refused for good.
"""

from __future__ import annotations

__all__ = ["EnvioConcorrente", "SmtpSender"]

import logging
import queue
import smtplib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from notifier.enviadas import Desfecho
from notifier.falhas import Ritmo, eh_permanente, proxima_espera
from notifier.lote import Envio
from protocolo.settings import NotifierSettings, SmtpSettings

logger = logging.getLogger(__name__)


class SmtpSender:
    """One SMTP connection, opened on first use and reopened after a failure."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _conectar(self) -> smtplib.SMTP:
        s = self.settings
        if s.implicit_tls:
            contexto = s.ssl_context()
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_s, context=contexto)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        try:
            if s.starttls:
                # Raises SMTPNotSupportedError when the relay offers no STARTTLS: never a silent downgrade.
                smtp.starttls(context=s.ssl_context())
            if s.username and s.password:
                smtp.login(s.username, s.password.get_secret_value())
        except BaseException:
            smtp.close()
            raise
        return smtp

    def enviar(self, mensagem: EmailMessage) -> None:
        """Send one message; smtplib/OS errors propagate (and the connection is dropped)."""
        if self._smtp is None:
            self._smtp = self._conectar()
        try:
            self._smtp.send_message(mensagem)
        except smtplib.SMTPRecipientsRefused:
            self._smtp.rset()  # the session is fine; only this recipient was refused
            raise
        except BaseException:
            self.fechar()
            raise

    def fechar(self) -> None:
        """Close the connection, politely if possible."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


@dataclass
class _Tarefa:
    envio: Envio
    tentativas: int = 0


Registrar = Callable[[Envio, Desfecho], None]


class EnvioConcorrente:
    """`concorrencia` sending threads sharing a rate limit; `registrar` runs after each final outcome."""

    def __init__(
        self,
        smtp: SmtpSettings,
        settings: NotifierSettings,
        registrar: Registrar,
        *,
        criar_sender: Callable[[SmtpSettings], SmtpSender] = SmtpSender,
        ao_repetir: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.registrar = registrar
        self.ao_repetir = ao_repetir
        self._ritmo = Ritmo(settings.emails_por_s, rajada=settings.concorrencia)
        self._fila: queue.Queue[_Tarefa | None] = queue.Queue()
        self._pendentes = 0
        self._fim_lote = threading.Condition()
        self._parar = threading.Event()
        self._erro: BaseException | None = None
        self._desfechos: list[tuple[Envio, Desfecho]] = []
        self._senders = [criar_sender(smtp) for _ in range(settings.concorrencia)]
        self._threads = [
            threading.Thread(target=self._trabalhar, args=(sender,), name=f"smtp-{n}", daemon=True)
            for n, sender in enumerate(self._senders)
        ]
        for thread in self._threads:
            thread.start()

    def enviar_lote(self, envios: Sequence[Envio]) -> list[tuple[Envio, Desfecho]] | None:
        """Send every message; their outcomes, or None when stopped (or failed) before the batch was done."""
        with self._fim_lote:
            self._desfechos = []
            self._pendentes = len(envios)
        for envio in envios:
            self._fila.put(_Tarefa(envio))
        with self._fim_lote:
            while self._pendentes and not self._parar.is_set() and self._erro is None:
                self._fim_lote.wait(0.5)
            if self._pendentes or self._erro is not None:
                return None
            return list(self._desfechos)

    @property
    def pendentes(self) -> int:
        """Messages of the batch at hand not yet accepted or refused for good."""
        return self._pendentes

    def parar(self) -> None:
        """Stop taking messages; the batch at hand stays incomplete (and uncommitted)."""
        self._parar.set()
        for _ in self._threads:
            self._fila.put(None)
        for thread in self._threads:
            thread.join(10)
        for sender in self._senders:
            sender.fechar()

    def _concluir(self, tarefa: _Tarefa, desfecho: Desfecho) -> None:
        self.registrar(tarefa.envio, desfecho)
        with self._fim_lote:
            self._desfechos.append((tarefa.envio, desfecho))
            self._pendentes -= 1
            self._fim_lote.notify_all()

    def _reagendar(self, tarefa: _Tarefa, exc: BaseException) -> None:
        tarefa.tentativas += 1
        self.ao_repetir()
        espera = proxima_espera(
            tarefa.tentativas, inicial_s=self.settings.espera_inicial_s, maxima_s=self.settings.espera_max_s
        )
        logger.warning(
            "smtp temporary failure, will retry error=%s attempt=%d wait_s=%.1f",
            exc.__class__.__name__,
            tarefa.tentativas,
            espera,
        )
        # A timer puts it back: the worker goes on with other subscribers' messages meanwhile.
        timer = threading.Timer(espera, self._fila.put, args=(tarefa,))
        timer.daemon = True
        timer.start()

    def _trabalhar(self, sender: SmtpSender) -> None:
        while True:
            tarefa = self._fila.get()
            if tarefa is None or self._parar.is_set():
                return
            self._ritmo.aguardar()
            try:
                sender.enviar(tarefa.envio.mensagem)
            except (smtplib.SMTPException, OSError) as exc:
                if eh_permanente(exc):
                    logger.warning("smtp permanent refusal subscription=%s", tarefa.envio.chave[:12])
                    self._com_guarda(tarefa, Desfecho.RECUSADA)
                else:
                    self._reagendar(tarefa, exc)
                continue
            self._com_guarda(tarefa, Desfecho.ENVIADA)

    def _com_guarda(self, tarefa: _Tarefa, desfecho: Desfecho) -> None:
        try:
            self._concluir(tarefa, desfecho)
        except Exception as exc:  # noqa: BLE001 - the batch must fail, not hang
            logger.error("could not record an outcome error=%s", exc)
            with self._fim_lote:
                self._erro = exc
                self._fim_lote.notify_all()
