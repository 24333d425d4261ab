"""Settings: one pydantic-settings class per concern, each with its env prefix, composed in Settings.

Environment variables (or a `.env` file) set every field: PROTOCOLO_KAFKA_BOOTSTRAP_SERVERS,
PROTOCOLO_SEARCH_URL, PROTOCOLO_SMTP_HOST, PROTOCOLO_API_PORT, PROTOCOLO_SECRET_KEY, ...
Tests pass keyword arguments instead of patching the environment.
"""

from __future__ import annotations

__all__ = [
    "AlertasSettings",
    "ApiSettings",
    "ArquivoSettings",
    "IndexerSettings",
    "InscricaoSettings",
    "KafkaSettings",
    "NotifierSettings",
    "SearchSettings",
    "Settings",
    "SmtpSettings",
    "TopicSettings",
    "WebhookSettings",
]

import ssl
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import Field, FilePath, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from protocolo.chaveiro import ID_LEGADO, Chaveiro, ChaveSecreta, ler_chaveiro
from protocolo.producao import SEGREDO_DE_DESENVOLVIMENTO, recusas_em_producao


def _config(prefixo: str) -> SettingsConfigDict:
    # use_attribute_docstrings: the string under a field is its description (the settings table of
    # docs/operacao.md). hide_input_in_errors: a refused setting must not print the secrets beside it.
    return SettingsConfigDict(
        env_prefix=prefixo,
        env_file=".env",
        extra="ignore",
        use_attribute_docstrings=True,
        hide_input_in_errors=True,
    )


def _recusar(erros: list[str]) -> None:
    """A ValueError with one line per refused setting, if there is any (pydantic reports it)."""
    if erros:
        raise ValueError("\n".join(erros))


def _contexto_tls(ca: Path | None) -> ssl.SSLContext:
    # create_default_context: CERT_REQUIRED and check_hostname, TLS 1.2 or later.
    contexto = ssl.create_default_context(cafile=str(ca) if ca else None)
    contexto.minimum_version = ssl.TLSVersion.TLSv1_2
    return contexto


class TopicSettings(BaseSettings):
    """Topic names and sizes."""

    model_config = _config("PROTOCOLO_TOPIC_")

    eventos: str = "tramitacao.eventos"
    """The agencies' raw events."""
    dlq: str = "tramitacao.eventos.dlq"
    """The raw events the streams rejected, with the reason (one payload kind: raw events)."""
    dlq_indexacao: str = "tramitacao.indexacao.dlq"
    """The indexer's dead letters: snapshots and movimentos it could not decode or the index refused."""
    movimentos: str = "tramitacao.movimentos"
    """Public, validated, enriched movements."""
    processos: str = "tramitacao.processos"
    """The current public state of each processo (compacted)."""
    inscricoes: str = "inscricoes"
    """E-mail subscriptions as the API, their only writer, records them (compacted)."""
    # The notifier's enviadas (key = Message-ID): what the relay accepted, read back after a restart.
    enviadas: str = "notificacoes.enviadas"
    """The notifier's enviadas: each e-mail the relay accepted or refused, keyed by Message-ID (compacted)."""
    devolucoes: str = "notificacoes.devolucoes"
    """The notifier's bounce marks, keyed like inscricoes: read as DEVOLVENDO (compacted)."""
    alertas: str = "alertas"
    """Saved-search alerts as the API, their only writer, records them (compacted)."""
    alertas_novidades: str = "alertas.novidades"
    """The alert sender's outbox: each processo newly matching an alert, each movement to tell (compacted)."""
    alertas_enviadas: str = "alertas.enviadas"
    """The alert sender's enviadas: each alert e-mail the relay accepted or refused, keyed by Message-ID
    (compacted, with the retention of `retencao_enviadas_dias`)."""
    referencia: str = "referencia.orgaos"
    """Reference data: orgaos and their unidades (compacted)."""
    credenciais: str = "agencias.credenciais"
    """Agencies' gateway credentials (compacted)."""
    integradores: str = "integradores.credenciais"
    """Integrators' credentials and contact addresses (compacted)."""
    webhooks: str = "webhooks.registros"
    """Webhook registrations as the API, their only writer, records them (compacted)."""
    webhooks_estados: str = "webhooks.estados"
    """The deliverer's verdict on each webhook: verified, refused or disabled (compacted)."""
    webhooks_entregas: str = "webhooks.entregas"
    """The deliverer's outbox: each delivery pending or done, keyed by its webhook-id (compacted)."""
    webhooks_casamentos: str = "webhooks.casamentos"
    """The deliverer's table of the saved-search webhooks each public processo matches, keyed by NUP
    (compacted; processos that match none have no record)."""
    geracao: str = "protocolo.geracao"
    """The active generation of the derived topics (written by `protocolo rebuild`) and each service's report
    of the one it runs on (compacted)."""
    partitions: int = Field(default=4, ge=1)
    """Partitions of the topics protocolo creates."""
    replication_factor: int = Field(default=1, ge=1)
    """Replication factor of the topics protocolo creates."""
    # The raw events (the audit log) and the movimentos (what a reindex reads) are kept forever; the
    # dead letters and the notifier's enviadas are kept for a while (applied by `create-topics`).
    retencao_dlq_dias: int = Field(default=30, ge=0)
    """How long both dead-letter topics keep a record, in days (`0`: forever); raw events and movimentos are
    kept forever."""
    retencao_enviadas_dias: int = Field(default=90, ge=0)
    """How long `notificacoes.enviadas` keeps an outcome, in days (`0`: forever); bounces older than this no
    longer count towards `PROTOCOLO_NOTIFIER_DEVOLUCOES_MAX`."""


class KafkaSettings(BaseSettings):
    """How every Kafka client connects; librdkafka names come from `client_config`, aiokafka's TLS from
    `ssl_context`."""

    model_config = _config("PROTOCOLO_KAFKA_")

    bootstrap_servers: str = "127.0.0.1:9092"
    """Brokers."""
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL` (production: `SASL_SSL`)."""
    sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = "SCRAM-SHA-512"
    """SASL mechanism, with `SASL_SSL` or `SASL_PLAINTEXT`."""
    sasl_username: str | None = None
    """SASL user (required with SASL)."""
    sasl_password: SecretStr | None = None
    """SASL password (required with SASL)."""
    ssl_ca_location: FilePath | None = None
    """CA certificate file (PEM) of the brokers' certificates, with `SSL` or `SASL_SSL`; without it, the
    system's CAs."""
    ssl_certificate_location: FilePath | None = None
    """Client certificate file (PEM), for brokers that require mutual TLS (with `ssl_key_location`)."""
    ssl_key_location: FilePath | None = None
    """The client certificate's private key file (PEM)."""
    ssl_key_password: SecretStr | None = None
    """The private key's password, if it is encrypted."""
    # Group joins take about half the session timeout on the local broker (docs/arquitetura.md,
    # "The local servers"): 6 s keeps them near 3 s; production may raise it.
    session_timeout_ms: int = 6000
    """Group joins take about half of it on the local broker; production may raise it."""
    heartbeat_interval_ms: int = 500
    """Consumers' heartbeat; production may raise it."""
    request_timeout_ms: int = 15000
    """Not read by any client today."""
    # Prefix of consumer groups and of the Faust app id (which names its internal topics).
    group_prefix: str = "protocolo"
    """Prefix of consumer groups and of the Faust app id."""
    topics: TopicSettings = Field(default_factory=TopicSettings)

    @property
    def sasl(self) -> bool:
        """Whether the clients authenticate with SASL."""
        return self.security_protocol.startswith("SASL_")

    @property
    def tls(self) -> bool:
        """Whether the connections to the brokers are encrypted."""
        return self.security_protocol in ("SSL", "SASL_SSL")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        p = "PROTOCOLO_KAFKA_"
        erros = []
        protocolo = f"{p}SECURITY_PROTOCOL"
        if self.sasl:
            for campo in ("sasl_username", "sasl_password"):
                if not getattr(self, campo):
                    erros.append(f"{p}{campo.upper()}: obrigatório com {protocolo}={self.security_protocol}")
        elif self.sasl_username or self.sasl_password:
            erros.append(
                f"{p}SASL_USERNAME/{p}SASL_PASSWORD: só valem com {protocolo} SASL_SSL ou SASL_PLAINTEXT"
            )
        arquivos_tls = ("ssl_ca_location", "ssl_certificate_location", "ssl_key_location", "ssl_key_password")
        if not self.tls and any(getattr(self, campo) for campo in arquivos_tls):
            erros.append(f"{p}SSL_*: só valem com {protocolo} SSL ou SASL_SSL")
        if bool(self.ssl_certificate_location) != bool(self.ssl_key_location):
            erros.append(f"{p}SSL_CERTIFICATE_LOCATION e {p}SSL_KEY_LOCATION: informe os dois, ou nenhum")
        _recusar(erros)
        return self

    def client_config(self) -> dict[str, str | int | float | bool]:
        """librdkafka settings shared by producers, consumers and the admin client."""
        config: dict[str, str | int | float | bool] = {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol,
        }
        if self.sasl and self.sasl_username and self.sasl_password:
            config["sasl.mechanisms"] = self.sasl_mechanism
            config["sasl.username"] = self.sasl_username
            config["sasl.password"] = self.sasl_password.get_secret_value()
        if self.tls:
            # Already librdkafka's default since 2.0; explicit, so that no default change can turn it off.
            config["ssl.endpoint.identification.algorithm"] = "https"
            if self.ssl_ca_location:
                config["ssl.ca.location"] = str(self.ssl_ca_location)
            if self.ssl_certificate_location and self.ssl_key_location:
                config["ssl.certificate.location"] = str(self.ssl_certificate_location)
                config["ssl.key.location"] = str(self.ssl_key_location)
            if self.ssl_key_password:
                config["ssl.key.password"] = self.ssl_key_password.get_secret_value()
        return config

    def ssl_context(self) -> ssl.SSLContext | None:
        """The same TLS settings for aiokafka (Faust): None without TLS; certificates and host verified."""
        if not self.tls:
            return None
        contexto = _contexto_tls(self.ssl_ca_location)
        if self.ssl_certificate_location and self.ssl_key_location:
            senha = self.ssl_key_password.get_secret_value() if self.ssl_key_password else None
            contexto.load_cert_chain(self.ssl_certificate_location, self.ssl_key_location, senha)
        return contexto

    def group(self, servico: str) -> str:
        """The consumer group (or Faust app id) of one service."""
        return f"{self.group_prefix}-{servico}"


class SearchSettings(BaseSettings):
    """Elasticsearch connection and index names."""

    model_config = _config("PROTOCOLO_SEARCH_")

    url: str = "http://127.0.0.1:9200"
    """Elasticsearch."""
    username: str | None = None
    """Credentials: user."""
    password: SecretStr | None = None
    """Credentials: password."""
    api_key: SecretStr | None = None
    """Credentials: API key (instead of user and password)."""
    ca_certs: FilePath | None = None
    """CA certificate file (PEM) of Elasticsearch's certificate, with an `https://` URL; without it, the
    system's CAs. Certificates are always verified."""
    # "serverless" makes the official client send plain JSON, which the local OpenSearch-compatible
    # server needs (it answers 406 to Elasticsearch's vendor media type). Real Elasticsearch: "stack".
    server_mode: Literal["stack", "serverless"] = "stack"
    """`serverless` makes the client send plain JSON, which the local search server needs (`protocolo up`
    sets it)."""
    index_prefix: str = "protocolo"
    """Read aliases `<prefix>-processos`, `<prefix>-movimentos` over versioned indices."""
    request_timeout_s: float = 10.0
    """How long one Elasticsearch request may take."""

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        p = "PROTOCOLO_SEARCH_"
        erros = []
        if bool(self.username) != bool(self.password):
            erros.append(f"{p}USERNAME e {p}PASSWORD: informe os dois, ou nenhum")
        if self.api_key and (self.username or self.password):
            erros.append(f"{p}API_KEY ou {p}USERNAME/{p}PASSWORD: escolha um dos dois modos de autenticação")
        if urlsplit(self.url).password is not None:
            erros.append(f"{p}URL: sem credenciais na URL; use {p}USERNAME e {p}PASSWORD, ou {p}API_KEY")
        if self.ca_certs and not self.https:
            erros.append(f"{p}CA_CERTS: só vale com uma URL https://")
        _recusar(erros)
        return self

    @property
    def https(self) -> bool:
        """Whether the connection to Elasticsearch is encrypted."""
        return urlsplit(self.url).scheme == "https"

    @property
    def autenticado(self) -> bool:
        """Whether the client sends credentials."""
        return bool(self.api_key or self.password)

    def alias(self, nome: str) -> str:
        """The read alias of an index family (processos, movimentos)."""
        return f"{self.index_prefix}-{nome}"


class SmtpSettings(BaseSettings):
    """The SMTP relay the notifier sends through."""

    model_config = _config("PROTOCOLO_SMTP_")

    host: str = "127.0.0.1"
    """The relay."""
    port: int = 1025
    """The relay's port."""
    username: str | None = None
    """The relay's user."""
    password: SecretStr | None = None
    """The relay's password."""
    starttls: bool = False
    """Upgrade the connection with STARTTLS (usually port 587); refused by a relay without it."""
    implicit_tls: bool = False
    """Connect with TLS from the first byte (SMTPS, usually port 465) instead of STARTTLS."""
    ca_file: FilePath | None = None
    """CA certificate file (PEM) of the relay's certificate; without it, the system's CAs. Certificates
    are always verified."""
    timeout_s: float = 10.0
    """How long one SMTP operation may take."""
    remetente: str = "Protocolo <nao-responda@protocolo.localhost>"
    """The From of every e-mail."""

    @property
    def tls(self) -> bool:
        """Whether the connection to the relay is encrypted."""
        return self.starttls or self.implicit_tls

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        p = "PROTOCOLO_SMTP_"
        erros = []
        if self.starttls and self.implicit_tls:
            erros.append(f"{p}STARTTLS e {p}IMPLICIT_TLS: escolha um dos dois")
        if bool(self.username) != bool(self.password):
            erros.append(f"{p}USERNAME e {p}PASSWORD: informe os dois, ou nenhum")
        if self.ca_file and not self.tls:
            erros.append(f"{p}CA_FILE: só vale com {p}STARTTLS ou {p}IMPLICIT_TLS")
        _recusar(erros)
        return self

    def ssl_context(self) -> ssl.SSLContext:
        """TLS for the relay: its certificate and host name verified, against `ca_file` if given."""
        return _contexto_tls(self.ca_file)


class ApiSettings(BaseSettings):
    """The HTTP API and portal."""

    model_config = _config("PROTOCOLO_API_")

    host: str = "127.0.0.1"
    """Where the portal listens."""
    port: int = 8000
    """The portal's port."""
    public_base_url: str = "http://127.0.0.1:8000"
    """The base of links in e-mails."""
    # HTTP gateway for agencies (POST /api/v1/eventos)
    gateway_max_eventos: int = Field(default=500, ge=1)
    """Agencies' gateway: events per batch (413 beyond)."""
    gateway_max_bytes: int = Field(default=2_000_000, ge=1024)
    """Agencies' gateway: bytes per batch (413 beyond)."""
    gateway_timeout_s: float = Field(default=10.0, gt=0)
    """Agencies' gateway: how long to wait for the broker (then 503)."""
    # Acknowledged events each API process remembers to answer resends "duplicado" (0: none).
    gateway_memoria_eventos: int = Field(default=200_000, ge=0)
    """Acknowledged events each API process remembers to answer resends `duplicado` (LRU, lost on restart;
    `0` turns it off); about 2 MB per 10,000 events (≈40 MB at the default)."""
    gateway_rejeitados_por_orgao: int = Field(default=1000, ge=1)
    """Latest rejections (masked dead letters) each API process keeps per órgão for
    `GET /api/v1/eventos/rejeitados`; older ones: `protocolo dlq list`."""
    # A port of its own, not the portal's: the metrics stay off the public address.
    metrics_port: int = Field(default=0, ge=0, le=65535)
    """Prometheus `/metrics` of the API, on a port of its own (`0`: off; `protocolo up` serves it on 9465)."""


class IndexerSettings(BaseSettings):
    """The indexer."""

    model_config = _config("PROTOCOLO_INDEXER_")

    metrics_port: int = Field(default=0, ge=0, le=65535)
    """Prometheus `/metrics` of the indexer (`0`: off; `protocolo up` serves it on 9466)."""


class StreamsSettings(BaseSettings):
    """The Faust streams workers."""

    model_config = _config("PROTOCOLO_STREAMS_")

    # "exactly_once" uses Kafka transactions (table changelog, outputs and offsets commit together);
    # the local broker has no transactions, so the default is at-least-once with idempotent outputs.
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    """`exactly_once` uses Kafka transactions (real Kafka only: the local broker has none)."""
    # Events handled together: each changed processo's state and snapshot is written once per batch.
    # A batch closes at `lote_max` events or `lote_espera_s` after its first one.
    lote_max: int = Field(default=2000, ge=1)
    """A batch closes at this many events."""
    lote_espera_s: float = Field(default=0.05, gt=0)
    """A batch also closes this long after its first event."""
    # Table store: "rocksdb" keeps state on disk in state_dir (memory stays bounded as state grows,
    # and a restart recovers only the changelog's tail); "memory" holds it all in RAM and replays
    # the whole changelog on every start.
    store: Literal["rocksdb", "memory"] = "rocksdb"
    """Table store: `rocksdb` (on disk, bounded memory) or `memory`."""
    # RocksDB memory per table partition: write buffers and the block cache (bytes).
    rocksdb_write_buffer_bytes: int = Field(default=8 * 1024**2, ge=1024**2)
    """RocksDB write buffers per table partition."""
    rocksdb_block_cache_bytes: int = Field(default=16 * 1024**2, ge=0)
    """RocksDB block cache per table partition."""
    # Faust refuses to start when a table's persisted offset is past the changelog's end. The local
    # broker under-reports that end (the last batch's first offset + 1), so the local stack turns the
    # check off and streams.recuperacao reads the true tail; on Kafka, keep it on.
    recovery_consistency_check: bool = True
    """Faust's check that a store is not ahead of its changelog; the local stack turns it off (its broker
    under-reports ends)."""
    # Producer batching of outputs and table changelogs, chosen with bench/streams_produtor.py: with one
    # batch in flight, a longer linger only delays its acknowledgement (20-50 ms were 20-30 % slower
    # than 0-5 ms) and the batch size made no difference from 64 KB to 1 MB.
    # The local broker reports a partition's end as the last *batch*'s first offset + 1, so recovery
    # by Faust alone stops short by up to a batch; streams.recuperacao reads the rest.
    producer_linger_s: float = Field(default=0.005, ge=0)
    """Output and changelog batching: linger."""
    producer_max_batch_bytes: int = Field(default=262_144, ge=1)
    """Output and changelog batching: batch size."""
    # The largest record the producer sends (Kafka's max.request.size; the broker's message.max.bytes
    # must allow it). Larger outputs go to the DLQ as REGISTRO_GRANDE_DEMAIS.
    producer_max_request_bytes: int = Field(default=1_048_576, ge=65_536)
    """The largest record produced; larger outputs go to the DLQ."""
    # Prometheus /metrics port of this worker; 0 turns the endpoint off.
    metrics_port: int = Field(default=0, ge=0, le=65535)
    """Prometheus `/metrics` of the worker (`0`: off; `protocolo up` serves it on 9464)."""
    # Readiness file name (several workers in one state dir need one each).
    nome: str = "streams"
    """The worker's name: its readiness file and its RocksDB directory."""
    # Faust's own log level (rebalances, recovery); INFO shows where a worker is when it seems stuck.
    faust_loglevel: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"
    """Faust's own log level; `INFO` logs rebalances and table recovery (the chaos tests use it)."""
    geracao: int = Field(default=1, ge=1)
    """Pins the generation of the derived topics for every service (topic suffix `.v<N>`, groups and app id
    `…-v<N>`); unset, each service runs the one `protocolo rebuild` recorded on `protocolo.geracao`."""
    # Static group membership (Kafka's group.instance.id, KIP-345). A worker that comes back within the
    # session timeout under the same id takes its own place in the group: no rebalance, and no waiting
    # for the killed process's membership to expire first (bench/streams.py, reinicio). The price: a
    # worker that stops for good keeps its partitions until its session expires.
    instancia: str = ""
    """Static group membership: this worker's `group.instance.id`, unique to it and kept across its
    restarts (`{host}` is the host name, `{nome}` is `PROTOCOLO_STREAMS_NOME`); empty: dynamic."""

    def group_instance_id(self, host: str) -> str | None:
        """The worker's `group.instance.id` on `host`, or None for dynamic membership."""
        return self.instancia.format(host=host, nome=self.nome) or None

    @model_validator(mode="after")
    def _instancia_valida(self) -> Self:
        try:
            self.group_instance_id("host")
        except (KeyError, IndexError, ValueError) as erro:
            _recusar([f"PROTOCOLO_STREAMS_INSTANCIA: só {{host}} e {{nome}} podem ser usados ({erro})"])
        return self


class InscricaoSettings(BaseSettings):
    """E-mail subscriptions: confirmation links and the API's rate limits (per API process)."""

    model_config = _config("PROTOCOLO_INSCRICAO_")

    confirmacao_validade_h: float = Field(default=48.0, gt=0)
    """Confirmation link validity (hours)."""
    # A pending address gets at most one confirmation e-mail per window, however often it is asked.
    reenvio_confirmacao_min: float = Field(default=15.0, ge=0)
    """At most one confirmation e-mail per window (minutes)."""
    # Token buckets: `por_*` requests at once, refilled at `por_*_por_h` per hour.
    por_email: int = Field(default=3, ge=1)
    """Subscription requests per e-mail at once, per API process."""
    por_email_por_h: float = Field(default=6.0, gt=0)
    """Refill of `por_email` per hour."""
    por_ip: int = Field(default=20, ge=1)
    """Subscription requests per IP at once, per API process."""
    por_ip_por_h: float = Field(default=120.0, gt=0)
    """Refill of `por_ip` per hour."""


class NotifierSettings(BaseSettings):
    """How the notifier sends: concurrency, rate, retries and the bounce threshold."""

    model_config = _config("PROTOCOLO_NOTIFIER_")

    concorrencia: int = Field(default=4, ge=1, le=64)
    """Sending threads."""
    emails_por_s: float = Field(default=50.0, gt=0)
    """Rate bound."""
    devolucoes_max: int = Field(default=3, ge=1)
    """Bounces before a subscription stops."""
    espera_inicial_s: float = Field(default=0.5, gt=0)
    """First wait before retrying a temporary SMTP failure."""
    espera_max_s: float = Field(default=60.0, gt=0)
    """Longest wait between retries."""
    lote_max: int = Field(default=200, ge=1)
    """Movimentos per batch."""
    metrics_port: int = Field(default=0, ge=0, le=65535)
    """Prometheus `/metrics` of the notifier (`0`: off; `protocolo up` serves it on 9467)."""


class WebhookSettings(BaseSettings):
    """Integrators' webhooks: the ownership check, delivery, retries and when an endpoint is disabled."""

    model_config = _config("PROTOCOLO_WEBHOOKS_")

    timeout_s: float = Field(default=10.0, gt=0)
    """How long one delivery (or ownership check) may take before it counts as a failure."""
    concorrencia: int = Field(default=64, ge=1)
    """Requests in flight at once over all endpoints (each endpoint has at most one)."""
    espera_inicial_s: float = Field(default=5.0, gt=0)
    """First wait before retrying a failed delivery; each retry doubles it."""
    espera_max_s: float = Field(default=3600.0, gt=0)
    """Longest wait between retries."""
    falhas_max: int = Field(default=12, ge=1)
    """Consecutive failed attempts after which an endpoint is disabled and its owner told by e-mail
    (with the default waits, about 2.5 hours of failures)."""
    sobreposicao_segredo_h: float = Field(default=24.0, ge=0)
    """After a secret rotation, how long deliveries are also signed with the old secret (hours)."""
    lote_max: int = Field(default=500, ge=1)
    """Movimentos (and snapshots) per batch."""
    margem_alertas_s: float = Field(default=5.0, gt=0)
    """How long a movimento may come before its processo's snapshot: a movimento for saved-search webhooks
    waits for the snapshot of its version, or until every processos partition is this far past it."""
    retidos_max: int = Field(default=10_000, ge=1)
    """Movimentos held for their snapshots at most: beyond it the deliverer stops reading movimentos until
    half of them were decided (memory stays bounded when the processos topic lags)."""
    recentes_max: int = Field(default=200_000, ge=1)
    """Processos whose newest snapshot version the deliverer remembers (a movimento of one of them is
    decided at once; the others wait up to `margem_alertas_s`)."""
    metrics_port: int = Field(default=0, ge=0, le=65535)
    """Prometheus `/metrics` of the webhooks deliverer (`0`: off; `protocolo up` serves it on 9469)."""


class AlertasSettings(BaseSettings):
    """Saved-search alerts: the analysis the matcher copies, and the digests' intervals."""

    model_config = _config("PROTOCOLO_ALERTAS_")

    # The local search server keeps stop words and º/ª in the folded sub-field (docs/arquitetura.md).
    analise: Literal["elasticsearch", "local"] = "elasticsearch"
    """How the search server analyses text: `elasticsearch`, or `local` (the local search server)."""
    intervalo_diario_s: float = Field(default=86_400.0, gt=0)
    """Length of the `diario` digest's interval (seconds; intervals start at midnight in Brasília)."""
    intervalo_semanal_s: float = Field(default=604_800.0, gt=0)
    """Length of the `semanal` digest's interval (seconds; from Mondays at midnight in Brasília)."""
    itens_por_resumo: int = Field(default=200, ge=1)
    """Items listed in one digest at most (the e-mail says how many more there were)."""
    lote_max: int = Field(default=500, ge=1)
    """Snapshots and movimentos per batch of the alert sender."""
    metrics_port: int = Field(default=0, ge=0, le=65535)
    """Prometheus `/metrics` of the alert sender (`0`: off; `protocolo up` serves it on 9470)."""


class ArquivoSettings(BaseSettings):
    """The audit archive: where it lives, how it signs, how often it seals segments and checkpoints."""

    model_config = _config("PROTOCOLO_ARQUIVO_")

    pasta: Path | None = None
    """The archive directory (default: `arquivo` under `PROTOCOLO_STATE_DIR`)."""
    chave: Path | None = None
    """The checkpoints' Ed25519 signing key file (default: `chaves/arquivo.key` under `PROTOCOLO_STATE_DIR`;
    created on first start in development)."""
    origem: str = "protocolo.localhost/arquivo"
    """The log's origin line in checkpoints, and the signing key's name (no spaces, no `+`)."""
    eventos_por_segmento: int = Field(default=100_000, ge=1)
    """A segment is sealed once it holds this many events."""
    checkpoint_eventos: int = Field(default=10_000, ge=1)
    """A signed checkpoint is written after this many new events (or after `checkpoint_s`)."""
    checkpoint_s: float = Field(default=30.0, gt=0)
    """A signed checkpoint is also written this many seconds after the last one, if events arrived since."""
    lote_max: int = Field(default=5000, ge=1)
    """Events consumed and fsynced together."""
    metrics_port: int = Field(default=0, ge=0, le=65535)
    """Prometheus `/metrics` of the archiver (`0`: off; `protocolo up` serves it on 9468)."""


def _montar_chaveiro(secret_key: SecretStr, secret_keys: SecretStr | None) -> Chaveiro:
    """PROTOCOLO_SECRET_KEYS (plus a set PROTOCOLO_SECRET_KEY as `k0` if not listed), or the latter alone."""
    avulsa = secret_key.get_secret_value().encode()
    if secret_keys is None or not secret_keys.get_secret_value().strip():
        return Chaveiro.de_uma(avulsa)
    try:
        chaveiro = ler_chaveiro(secret_keys.get_secret_value())
    except ValueError as exc:
        raise ValueError(f"PROTOCOLO_SECRET_KEYS: {exc}") from None  # never chain: the text holds secrets
    if avulsa == SEGREDO_DE_DESENVOLVIMENTO.encode():
        return chaveiro
    listada = chaveiro.para(ID_LEGADO)
    if listada is None:
        return Chaveiro([*chaveiro, ChaveSecreta(ID_LEGADO, avulsa)])
    if listada.segredo != avulsa:
        raise ValueError(
            f"PROTOCOLO_SECRET_KEYS lists a key {ID_LEGADO} that is not PROTOCOLO_SECRET_KEY: "
            "leave it out (PROTOCOLO_SECRET_KEY joins the ring as k0) or give the same secret"
        )
    return chaveiro


class Settings(BaseSettings):
    """Everything protocolo can be told, by concern."""

    model_config = _config("PROTOCOLO_")

    environment: Literal["development", "production"] = "development"
    """`production` refuses to start with a missing or example secret, or credentials sent in clear."""
    secret_key: SecretStr = SecretStr(SEGREDO_DE_DESENVOLVIMENTO)
    """The server's secret key (id `k0`): HMAC of document hashes, subscription keys, links, cursors and
    token hashes; webhook secrets are sealed with a key derived from it."""
    secret_keys: SecretStr | None = None
    """Key ring, `k2:<secret>,k1:<secret>`: the first makes new hashes and seals, every listed key
    verifies and opens; a set `PROTOCOLO_SECRET_KEY` joins it as `k0`."""
    restrito_publico: bool = False
    """Show `RESTRITO` processos publicly."""
    state_dir: Path = Path(".local")
    """Local state: logs, mail, Faust data, readiness files."""
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    streams: StreamsSettings = Field(default_factory=StreamsSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    indexer: IndexerSettings = Field(default_factory=IndexerSettings)
    inscricao: InscricaoSettings = Field(default_factory=InscricaoSettings)
    notifier: NotifierSettings = Field(default_factory=NotifierSettings)
    alertas: AlertasSettings = Field(default_factory=AlertasSettings)
    arquivo: ArquivoSettings = Field(default_factory=ArquivoSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)

    @model_validator(mode="after")
    def _check_keys_and_production(self) -> Self:
        _montar_chaveiro(self.secret_key, self.secret_keys)  # a malformed ring is refused everywhere
        if self.environment == "production":
            _recusar(recusas_em_producao(self))
        return self

    @property
    def chaveiro(self) -> Chaveiro:
        """The key ring: the current key makes new values, every listed key verifies (protocolo.chaveiro).

        Built on each call (microseconds), so a `model_copy(update=...)` of the keys is seen.
        """
        return _montar_chaveiro(self.secret_key, self.secret_keys)

    def readiness_file(self, servico: str) -> Path:
        """The file a service creates once it is ready to work (the local stack waits for it)."""
        pasta = self.state_dir / "run"
        pasta.mkdir(parents=True, exist_ok=True)
        return pasta / f"{servico}.ready"

    def pasta_streams(self) -> Path:
        """The streams workers' on-disk tables (RocksDB), one directory per app id and worker."""
        return self.state_dir / "faust"

    def pasta_arquivo(self) -> Path:
        """The audit archive's directory."""
        return self.arquivo.pasta or self.state_dir / "arquivo"

    def chave_arquivo(self) -> Path:
        """The audit archive's signing key file."""
        return self.arquivo.chave or self.state_dir / "chaves" / "arquivo.key"

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables, for child processes of the local stack."""
        env: dict[str, str] = {}
        for secao in (
            self,
            self.kafka,
            self.kafka.topics,
            self.search,
            self.smtp,
            self.streams,
            self.api,
            self.indexer,
            self.inscricao,
            self.notifier,
            self.arquivo,
            self.webhooks,
            self.alertas,
        ):
            prefixo = str(secao.model_config.get("env_prefix", ""))
            for nome in type(secao).model_fields:
                if secao is self.streams and nome == "geracao" and nome not in secao.model_fields_set:
                    continue  # unpinned: each child reads the active generation itself
                valor = getattr(secao, nome)
                if isinstance(valor, BaseSettings) or valor is None:
                    continue
                if isinstance(valor, SecretStr):
                    valor = valor.get_secret_value()
                if isinstance(valor, bool):
                    valor = "true" if valor else "false"
                env[f"{prefixo}{nome}".upper()] = str(valor)
        return env
