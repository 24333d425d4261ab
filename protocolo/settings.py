"""Settings: one pydantic-settings class per concern, each with its env prefix, composed in Settings.

Environment variables (or a `.env` file) set every field: PROTOCOLO_KAFKA_BOOTSTRAP_SERVERS,
PROTOCOLO_SEARCH_URL, PROTOCOLO_SMTP_HOST, PROTOCOLO_API_PORT, PROTOCOLO_SECRET_KEY, ...
Tests pass keyword arguments instead of patching the environment.
"""

from __future__ import annotations

__all__ = [
    "ApiSettings",
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
    return SettingsConfigDict(env_prefix=prefixo, env_file=".env", extra="ignore")


class TopicSettings(BaseSettings):
    """Topic names and sizes."""

    model_config = _config("PROTOCOLO_TOPIC_")

    eventos: str = "tramitacao.eventos"
    # The raw events the streams rejected (one payload kind: what `protocolo dlq redrive` re-publishes).
    dlq: str = "tramitacao.eventos.dlq"
    # The indexer's own dead letters: snapshots and movimentos it could not decode or the index refused.
    dlq_indexacao: str = "tramitacao.indexacao.dlq"
    movimentos: str = "tramitacao.movimentos"
    processos: str = "tramitacao.processos"
    # Subscriptions as the API writes them (PENDENTE, CONFIRMADA, tombstone); the API is its only writer.
    inscricoes: str = "inscricoes"
    # The notifier's sent-log (key = Message-ID): what the relay accepted, read back after a restart.
    enviadas: str = "notificacoes.enviadas"
    # The notifier's bounce marks (key = subscription key): folded into the subscriptions as DEVOLVENDO.
    devolucoes: str = "notificacoes.devolucoes"
    referencia: str = "referencia.orgaos"
    credenciais: str = "agencias.credenciais"
    partitions: int = Field(default=4, ge=1)
    replication_factor: int = Field(default=1, ge=1)


class KafkaSettings(BaseSettings):
    """How every Kafka client connects; librdkafka names come from `client_config`."""

    model_config = _config("PROTOCOLO_KAFKA_")

    bootstrap_servers: str = "127.0.0.1:9092"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_ca_location: str | None = None
    # Group joins take about half the session timeout on the local broker (shared/LOCAL_STACK.md):
    # 6 s keeps them near 3 s; production may raise it.
    session_timeout_ms: int = 6000
    heartbeat_interval_ms: int = 500
    request_timeout_ms: int = 15000
    # Prefix of consumer groups and of the Faust app id (which names its internal topics).
    group_prefix: str = "protocolo"
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
    username: str | None = None
    password: SecretStr | None = None
    api_key: SecretStr | None = None
    # "serverless" makes the official client send plain JSON, which the local OpenSearch-compatible
    # server needs (it answers 406 to Elasticsearch's vendor media type). Real Elasticsearch: "stack".
    server_mode: Literal["stack", "serverless"] = "stack"
    index_prefix: str = "protocolo"
    request_timeout_s: float = 10.0

    def alias(self, nome: str) -> str:
        """The read alias of an index family (processos, movimentos)."""
        return f"{self.index_prefix}-{nome}"


class SmtpSettings(BaseSettings):
    """The SMTP relay the notifier sends through."""

    model_config = _config("PROTOCOLO_SMTP_")

    host: str = "127.0.0.1"
    port: int = 1025
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    timeout_s: float = 10.0
    remetente: str = "Protocolo <nao-responda@protocolo.localhost>"


class ApiSettings(BaseSettings):
    """The HTTP API and portal."""

    model_config = _config("PROTOCOLO_API_")

    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    # HTTP gateway for agencies (POST /api/v1/eventos)
    gateway_max_eventos: int = Field(default=500, ge=1)
    gateway_max_bytes: int = Field(default=2_000_000, ge=1024)
    gateway_timeout_s: float = Field(default=10.0, gt=0)
    # Acknowledged events each API process remembers to answer resends "duplicado" (0: none).
    gateway_memoria_eventos: int = Field(default=200_000, ge=0)


class StreamsSettings(BaseSettings):
    """The Faust streams workers."""

    model_config = _config("PROTOCOLO_STREAMS_")

    # "exactly_once" uses Kafka transactions (table changelog, outputs and offsets commit together);
    # the local broker has no transactions, so the default is at-least-once with idempotent outputs.
    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    # Events handled together: each changed processo's state and snapshot is written once per batch.
    # A batch closes at `lote_max` events or `lote_espera_s` after its first one.
    lote_max: int = Field(default=2000, ge=1)
    lote_espera_s: float = Field(default=0.05, gt=0)
    # Table store: "rocksdb" keeps state on disk in state_dir (memory stays bounded as state grows,
    # and a restart recovers only the changelog's tail); "memory" holds it all in RAM and replays
    # the whole changelog on every start.
    store: Literal["rocksdb", "memory"] = "rocksdb"
    # RocksDB memory per table partition: write buffers and the block cache (bytes).
    rocksdb_write_buffer_bytes: int = Field(default=8 * 1024**2, ge=1024**2)
    rocksdb_block_cache_bytes: int = Field(default=16 * 1024**2, ge=0)
    # Faust refuses to start when a table's persisted offset is past the changelog's end. The local
    # broker under-reports that end (the last batch's first offset + 1), so the local stack turns the
    # check off and streams.recuperacao reads the true tail; on Kafka, keep it on.
    recovery_consistency_check: bool = True
    # Producer batching of outputs and table changelogs, chosen from bench/streams.py measurements.
    # The local broker reports a partition's end as the last *batch*'s first offset + 1, so recovery
    # by Faust alone stops short by up to a batch; streams.recuperacao reads the rest.
    producer_linger_s: float = Field(default=0.005, ge=0)
    producer_max_batch_bytes: int = Field(default=262_144, ge=1)
    # The largest record the producer sends (Kafka's max.request.size; the broker's message.max.bytes
    # must allow it). Larger outputs go to the DLQ as REGISTRO_GRANDE_DEMAIS.
    producer_max_request_bytes: int = Field(default=1_048_576, ge=65_536)
    # Prometheus /metrics port of this worker; 0 turns the endpoint off.
    metrics_port: int = Field(default=0, ge=0, le=65535)
    # Readiness file name (several workers in one state dir need one each).
    nome: str = "streams"
    # Faust's own log level (rebalances, recovery); INFO shows where a worker is when it seems stuck.
    faust_loglevel: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"


class InscricaoSettings(BaseSettings):
    """E-mail subscriptions: confirmation links and the API's rate limits (per API process)."""

    model_config = _config("PROTOCOLO_INSCRICAO_")

    confirmacao_validade_h: float = Field(default=48.0, gt=0)
    # A pending address gets at most one confirmation e-mail per window, however often it is asked.
    reenvio_confirmacao_min: float = Field(default=15.0, ge=0)
    # Token buckets: `por_*` requests at once, refilled at `por_*_por_h` per hour.
    por_email: int = Field(default=3, ge=1)
    por_email_por_h: float = Field(default=6.0, gt=0)
    por_ip: int = Field(default=20, ge=1)
    por_ip_por_h: float = Field(default=120.0, gt=0)


class NotifierSettings(BaseSettings):
    """How the notifier sends: concurrency, rate, retries and the bounce threshold."""

    model_config = _config("PROTOCOLO_NOTIFIER_")

    concorrencia: int = Field(default=4, ge=1, le=64)
    emails_por_s: float = Field(default=50.0, gt=0)
    devolucoes_max: int = Field(default=3, ge=1)
    espera_inicial_s: float = Field(default=0.5, gt=0)
    espera_max_s: float = Field(default=60.0, gt=0)
    lote_max: int = Field(default=200, ge=1)


class Settings(BaseSettings):
    """Everything protocolo can be told, by concern."""

    model_config = _config("PROTOCOLO_")

    environment: Literal["development", "production"] = "development"
    secret_key: SecretStr = SecretStr(_DEV_SECRET)
    restrito_publico: bool = False
    state_dir: Path = Path(".local")
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    streams: StreamsSettings = Field(default_factory=StreamsSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    inscricao: InscricaoSettings = Field(default_factory=InscricaoSettings)
    notifier: NotifierSettings = Field(default_factory=NotifierSettings)

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
