"""The alert sender: saved-search alerts matched in the stream and mailed (`python -m notifier.alertas`).

Why here: it mails, so it needs what the notifier already has (the SMTP sender with its retries and
rate bound, enviadas with its Message-ID dedupe); services may not import each other, so a new
service package would have had to copy them. It runs as its own process and consumer group
(`protocolo up` and docker-compose start it), because it reads other topics (processos
snapshots, alertas) and keeps other state (the matcher) than the processo notifier.
"""

__all__: list[str] = []
