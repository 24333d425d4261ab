"""The archiver: every raw event in a tamper-evident, append-only, signed log (docs/auditoria.md)."""
