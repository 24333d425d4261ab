"""`LocalStack`: starts the servers and the services as children, in order, and stops them in reverse."""

from __future__ import annotations

__all__ = ["SERVICOS", "LocalStack"]

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cli.stack.ports import esta_livre, host_porta
from cli.stack.process import ChildProcess, esperar, http_ok, lancar
from cli.stack.servers import argv_busca, argv_kafka, argv_smtp, kafka_pronto
from protocolo.errors import StackError
from protocolo.geracao import STATUS_TROCA
from protocolo.kafka import create_topics
from protocolo.settings import Settings

SERVICOS = ("streams", "indexer", "notifier", "notifier.alertas", "webhooks", "archiver", "api")


@dataclass
class LocalStack:
    """Starts and stops the local servers and services, in order, waiting for each to be ready."""

    settings: Settings
    servicos: tuple[str, ...] = SERVICOS
    avisar: Callable[[str], None] = lambda _m: None
    processes: list[ChildProcess] = field(default_factory=list)

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
        for servico, porta, variavel in (
            ("streams", s.streams.metrics_port, "PROTOCOLO_STREAMS_METRICS_PORT"),
            ("api", s.api.metrics_port, "PROTOCOLO_API_METRICS_PORT"),
            ("indexer", s.indexer.metrics_port, "PROTOCOLO_INDEXER_METRICS_PORT"),
            ("notifier", s.notifier.metrics_port, "PROTOCOLO_NOTIFIER_METRICS_PORT"),
            ("archiver", s.arquivo.metrics_port, "PROTOCOLO_ARQUIVO_METRICS_PORT"),
            ("webhooks", s.webhooks.metrics_port, "PROTOCOLO_WEBHOOKS_METRICS_PORT"),
            ("notifier.alertas", s.alertas.metrics_port, "PROTOCOLO_ALERTAS_METRICS_PORT"),
        ):
            if servico in self.servicos and porta:
                portas.append((f"127.0.0.1:{porta}", f"métricas de {servico}", variavel))
        for endereco, papel, variavel in portas:
            host, porta = host_porta(endereco)
            if not esta_livre(host, porta):
                raise StackError(f"a porta {porta} ({papel}) já está em uso; escolha outra com {variavel}")

    def iniciar(self) -> None:
        """Start everything; raises StackError (after stopping what started) if a part fails."""
        self.verificar_portas()
        self.pasta_logs.mkdir(parents=True, exist_ok=True)
        self.esquecer_execucao_anterior()
        try:
            self.iniciar_servidores()
            self.carregar_referencia_exemplo()
            self.iniciar_servicos()
        except BaseException:
            self.parar()
            raise

    def esquecer_execucao_anterior(self) -> None:
        """Set aside the on-disk state of a previous run: the local broker starts empty every time.

        The streams' tables (RocksDB) would hold the processos and identities of topics that no longer
        exist, so every event of the new run would look like a resend of the old one; the audit
        archive would resume at offsets the new topics have not reached. The tables go; the archive
        is kept as `<dir>.anterior` (replacing an older one), and its signing key stays.
        """
        tabelas = self.settings.pasta_streams()
        if tabelas.exists():
            shutil.rmtree(tabelas)
            self.avisar(f"tabelas dos streams da execução anterior removidas ({tabelas})")
        arquivo = self.settings.pasta_arquivo()
        if arquivo.exists() and any(arquivo.iterdir()):
            anterior = arquivo.with_name(f"{arquivo.name}.anterior")
            shutil.rmtree(anterior, ignore_errors=True)
            arquivo.rename(anterior)
            self.avisar(f"arquivo de auditoria da execução anterior guardado em {anterior}")

    def carregar_referencia_exemplo(self) -> None:
        """Put the packaged sample of órgãos and unidades on the reference topic (a demo's names)."""
        from protocolo.referencia import carregar_referencia
        from protocolo.referencia_topico import publicar_referencia

        quantos = publicar_referencia(self.settings.kafka, carregar_referencia().orgaos)
        self.avisar(f"dados de referência de exemplo: {quantos} órgãos")

    def iniciar_servicos(self) -> None:
        """Start the services (SERVICOS, in order) on running servers."""
        self.pasta_logs.mkdir(parents=True, exist_ok=True)
        for nome in self.servicos:
            self._iniciar_servico(nome)

    def iniciar_servidores(self) -> None:
        """Start the broker, the search server and the SMTP sink, and create the topics."""
        self.pasta_logs.mkdir(parents=True, exist_ok=True)
        s = self.settings
        tansu = self._lancar("kafka", argv_kafka(*host_porta(s.kafka.bootstrap_servers.split(",")[0])))
        self._esperar(tansu, lambda: kafka_pronto(s.kafka), "broker Kafka")
        self.iniciar_busca()
        smtp = self._lancar("smtp", argv_smtp(self.pasta_emails, s.smtp.host, s.smtp.port))
        self._esperar(smtp, lambda: not esta_livre(s.smtp.host, s.smtp.port), "servidor SMTP local")
        criados = create_topics(s.kafka)
        self.avisar(f"tópicos criados: {', '.join(criados) or 'já existiam'}")

    def iniciar_busca(self) -> None:
        """Start the search server on its address (again, after a crash: it comes back empty)."""
        self.processes = [p for p in self.processes if p.nome != "search" or p.popen.poll() is None]
        osmem = self._lancar("search", argv_busca(*host_porta(self.settings.search.url)))
        self._esperar(osmem, lambda: http_ok(self.settings.search.url), "servidor de busca")

    def process(self, nome: str) -> subprocess.Popen[bytes]:
        """The running child called `nome` (kafka, search, smtp or a service): tests freeze or kill it."""
        return next(p.popen for p in self.processes if p.nome == nome and p.popen.poll() is None)

    def _iniciar_servico(self, nome: str) -> None:
        pronto = self.settings.readiness_file(nome)
        pronto.unlink(missing_ok=True)
        child = self._lancar(nome, [sys.executable, "-m", nome])
        if nome == "streams":
            # The first start of a new Faust app takes 3-15 s on the local broker (group joins, recovery).
            self._esperar(child, pronto.exists, "streams", prazo_s=90)
        elif nome == "archiver":
            self._esperar(child, pronto.exists, "arquivador de auditoria")
        elif nome == "webhooks":
            self._esperar(child, pronto.exists, "entregador de webhooks")
        elif nome == "notifier.alertas":
            self._esperar(child, pronto.exists, "enviador de alertas")
        elif nome == "api":
            url = f"http://{self.settings.api.host}:{self.settings.api.port}/healthz"
            self._esperar(child, lambda: http_ok(url), "API e portal", prazo_s=60)
        else:
            time.sleep(0.3)
            if child.popen.poll() is not None:
                raise StackError(f"{nome} terminou ao iniciar; veja {child.log}")
        self.avisar(f"iniciado: {nome} (log: {child.log})")

    def _lancar(self, nome: str, argv: list[str]) -> ChildProcess:
        env = {**os.environ, **self.settings.to_env()}
        child = lancar(nome, argv, pasta_logs=self.pasta_logs, env=env)
        self.processes.append(child)
        return child

    def _esperar(
        self, child: ChildProcess, pronto: Callable[[], bool], papel: str, prazo_s: float = 30
    ) -> None:
        esperar(child, pronto, papel, avisar=self.avisar, prazo_s=prazo_s)

    def matar(self, nome: str) -> int:
        """SIGKILL one running service (crash tests); returns its pid."""
        child = next(p for p in self.processes if p.nome == nome and p.popen.poll() is None)
        child.popen.send_signal(signal.SIGKILL)
        child.popen.wait()
        self.processes.remove(child)
        return child.popen.pid

    def reiniciar(self, nome: str) -> None:
        """Start one service again (after `matar`), appending to the same log."""
        self._iniciar_servico(nome)

    def morto(self) -> ChildProcess | None:
        """The first child that exited on its own, if any."""
        return next((p for p in self.processes if p.popen.poll() is not None), None)

    def supervisionar(self) -> ChildProcess | None:
        """Start again each service that exited to switch generation; the first child that died otherwise.

        A service exits with STATUS_TROCA after a rebuild activated another generation (it stopped
        cleanly, offsets committed); started again, it reads the new one.
        """
        for child in [p for p in self.processes if p.popen.poll() == STATUS_TROCA]:
            self.processes.remove(child)
            self.avisar(f"{child.nome} trocou de geração; reiniciando")
            self._iniciar_servico(child.nome)
        # One that exited to switch while the others restarted is restarted on the next call, not dead.
        return next((p for p in self.processes if p.popen.poll() not in (None, STATUS_TROCA)), None)

    def parar(self, prazo_s: float = 10) -> None:
        """Stop the services, then the servers (reverse start order); kill what does not stop in time."""
        for child in reversed(self.processes):
            if child.popen.poll() is None:
                child.popen.terminate()
                try:
                    child.popen.wait(prazo_s)
                except subprocess.TimeoutExpired:
                    child.popen.kill()
                    child.popen.wait()
        self.processes.clear()
