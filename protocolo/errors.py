"""The error tree of protocolo.

ProtocoloError
├── InvalidNup (ValueError)            a string that is not a NUP in any accepted format
├── InvalidEvent (ValueError)          an event that breaks the contract; carries every violation
├── CodecError (ValueError)
│   ├── UnknownSchema                  single-object message whose fingerprint is not in the catalogue
│   └── CorruptMessage                 bad magic bytes or an undecodable body
├── PublishError                       the producer could not send what we produced
│   └── NotAcknowledged                some messages were not acknowledged: how many, Kafka's error code
├── WorkerStopped                      a worker was asked to stop while it waited; its batch stays uncommitted
├── BatchFailed                        a worker could not finish a batch (an outcome was not recorded)
├── ReindexFailed                      a reindex or rebuild could not finish its work
├── StackError                         the local stack could not start (port in use, process died)
├── ArchiveError                       the audit archive cannot be opened or appended to as it is
│   └── InvalidNote (ValueError)       a checkpoint, key or proof that is malformed or does not verify
├── SourceUnreadable                   a topic or index an audit reads is missing or cannot be read
├── InvalidWebhook (ValueError)        a webhook registration the API refuses; the message is pt-BR
└── SealedSecretUnreadable (ValueError) a sealed secret that does not open (other key, other record)
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "BatchFailed",
    "CodecError",
    "CorruptMessage",
    "InvalidEvent",
    "InvalidNote",
    "InvalidNup",
    "InvalidWebhook",
    "NotAcknowledged",
    "ProtocoloError",
    "PublishError",
    "ReindexFailed",
    "SealedSecretUnreadable",
    "SourceUnreadable",
    "StackError",
    "UnknownSchema",
    "Violation",
    "WorkerStopped",
]

from dataclasses import dataclass


class ProtocoloError(Exception):
    """Root of every error protocolo raises on purpose."""


class InvalidNup(ProtocoloError, ValueError):
    """A string that is not a NUP in any accepted format; the message is pt-BR for citizens."""


@dataclass(frozen=True)
class Violation:
    """One broken rule of the event contract: the field at fault and a pt-BR reason."""

    campo: str
    motivo: str

    def __str__(self) -> str:
        return f"{self.campo}: {self.motivo}"


class InvalidEvent(ProtocoloError, ValueError):
    """An event that breaks the contract; `violations` lists every field at fault."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(str(v) for v in violations))


class CodecError(ProtocoloError, ValueError):
    """A message that cannot be decoded."""


class UnknownSchema(CodecError):
    """A single-object message whose schema fingerprint is not in the catalogue."""


class CorruptMessage(CodecError):
    """A message without the single-object header or with a body that does not decode."""


class PublishError(ProtocoloError):
    """The producer could not send a message we produced (a fatal producer, or no acknowledgement)."""


class NotAcknowledged(PublishError):
    """Messages the broker did not acknowledge: how many, of how many, and Kafka's first error code.

    `reasons` holds each message's outcome when the caller produced a batch (None = acknowledged).
    """

    def __init__(
        self,
        message: str,
        *,
        failed: int,
        total: int,
        code: str | None = None,
        reasons: tuple[str | None, ...] = (),
    ) -> None:
        super().__init__(message)
        self.failed = failed
        self.total = total
        self.code = code
        self.reasons = reasons

    @property
    def failed_indices(self) -> list[int]:
        """Positions in the batch of the messages that were not acknowledged."""
        return [i for i, motivo in enumerate(self.reasons) if motivo is not None]


class WorkerStopped(ProtocoloError):
    """A worker was asked to stop while it waited for a server; the batch at hand is not committed."""


class BatchFailed(ProtocoloError):
    """A worker could not finish a batch while still running; its offsets stay uncommitted."""


class ReindexFailed(ProtocoloError):
    """A reindex or rebuild could not finish: its new indices vanished or a topic could not be read."""


class StackError(ProtocoloError):
    """The local stack could not start or lost one of its processes."""


class ArchiveError(ProtocoloError):
    """The audit archive cannot be opened or appended to as it is (a segment out of place, corrupt)."""


class InvalidNote(ArchiveError, ValueError):
    """A checkpoint, key or proof that is malformed or whose signature or hashes do not verify."""


class SourceUnreadable(ProtocoloError):
    """A topic or index that an audit reads is missing or cannot be read."""


class InvalidWebhook(ProtocoloError, ValueError):
    """A webhook registration the API refuses (url, target); the message is pt-BR for integrators."""


class SealedSecretUnreadable(ProtocoloError, ValueError):
    """A sealed secret that does not open: another platform secret, another record, or corrupted."""
