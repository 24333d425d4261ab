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
    "InscricaoSettings",
    "KafkaSettings",
    "NotifierSettings",
    "SearchSettings",
    "Settings",
    "SmtpSettings",
    "TopicSettings",
]

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "troque-este-segredo-em-producao"


def _config(prefixo: str) -> SettingsConfigDict:
    # use_attribute_docstrings: the string under a field is its description (the settings table of
    # docs/operacao.md).
    return SettingsConfigDict(
        env_prefix=prefixo, env_file=".env", extra="ignore", use_attribute_docstrings=True
    )


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
    referencia: str = "referencia.orgaos"
    """Reference data: orgaos and their unidades (compacted)."""
    credenciais: str = "agencias.credenciais"
    """Agencies' gateway credentials (compacted)."""
    partitions: int = Field(default=4, ge=1)
    """Partitions of the topics protocolo creates."""
    replication_factor: int = Field(default=1, ge=1)
    """Replication factor of the topics protocolo creates."""


class KafkaSettings(BaseSettings):
    """How every Kafka client connects; librdkafka names come from `client_config`."""

    model_config = _config("PROTOCOLO_KAFKA_")

    bootstrap_servers: str = "127.0.0.1:9092"
    """Brokers."""
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    """Production security: `PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`."""
    sasl_mechanism: str | None = None
    """SASL mechanism."""
    sasl_username: str | None = None
    """SASL user."""
    sasl_password: SecretStr | None = None
    """SASL password."""
    ssl_ca_location: str | None = None
    """CA certificate file."""
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

    def client_config(self) -> dict[str, str | int | float | bool]:
        """librdkafka settings shared by producers, consumers and the admin client."""
        config: dict[str, str | int | float | bool] = {
            "bootstrap.servers": self.bootstrap_servers,
            "security.protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            config["sasl.mechanism"] = self.sasl_mechanism
        if self.sasl_username:
            config["sasl.username"] = self.sasl_username
        if self.sasl_password:
            config["sasl.password"] = self.sasl_password.get_secret_value()
        if self.ssl_ca_location:
            config["ssl.ca.location"] = self.ssl_ca_location
        return config

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
    """Credentials: API key."""
    # "serverless" makes the official client send plain JSON, which the local OpenSearch-compatible
    # server needs (it answers 406 to Elasticsearch's vendor media type). Real Elasticsearch: "stack".
    server_mode: Literal["stack", "serverless"] = "stack"
    """`serverless` makes the client send plain JSON, which the local search server needs (`protocolo up`
    sets it)."""
    index_prefix: str = "protocolo"
    """Read aliases `<prefix>-processos`, `<prefix>-movimentos` over versioned indices."""
    request_timeout_s: float = 10.0
    """How long one Elasticsearch request may take."""

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
    """Upgrade the connection with STARTTLS."""
    timeout_s: float = 10.0
    """How long one SMTP operation may take."""
    remetente: str = "Protocolo <nao-responda@protocolo.localhost>"
    """The From of every e-mail."""


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
    # Producer batching of outputs and table changelogs, chosen from bench/streams.py measurements.
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
    """Generation of the derived topics this worker writes: above 1 the app id is `<prefix>-streams-v<N>`
    (new tables); `protocolo rebuild` runs the next one."""


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


class Settings(BaseSettings):
    """Everything protocolo can be told, by concern."""

    model_config = _config("PROTOCOLO_")

    environment: Literal["development", "production"] = "development"
    """`production` refuses the placeholder secret."""
    secret_key: SecretStr = SecretStr(_DEV_SECRET)
    """HMAC key for document hashes and subscription keys."""
    restrito_publico: bool = False
    """Show `RESTRITO` processos publicly."""
    state_dir: Path = Path(".local")
    """Local state: logs, mail, Faust data, readiness files."""
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    streams: StreamsSettings = Field(default_factory=StreamsSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    inscricao: InscricaoSettings = Field(default_factory=InscricaoSettings)
    notifier: NotifierSettings = Field(default_factory=NotifierSettings)
    alertas: AlertasSettings = Field(default_factory=AlertasSettings)
    arquivo: ArquivoSettings = Field(default_factory=ArquivoSettings)

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Self:
        if self.environment == "production" and self.secret_key.get_secret_value() == _DEV_SECRET:
            raise ValueError("PROTOCOLO_SECRET_KEY must be set to a real secret in production")
        return self

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
            self.inscricao,
            self.notifier,
            self.arquivo,
        ):
            prefixo = str(secao.model_config.get("env_prefix", ""))
            for nome in type(secao).model_fields:
                valor = getattr(secao, nome)
                if isinstance(valor, BaseSettings) or valor is None:
                    continue
                if isinstance(valor, SecretStr):
                    valor = valor.get_secret_value()
                if isinstance(valor, bool):
                    valor = "true" if valor else "false"
                env[f"{prefixo}{nome}".upper()] = str(valor)
        return env
