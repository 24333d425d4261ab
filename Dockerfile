# One image for every service; docker-compose picks the module to run.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY protocolo protocolo
COPY producers producers
COPY streams streams
COPY indexer indexer
COPY api api
COPY notifier notifier
COPY archiver archiver
COPY webhooks webhooks
COPY cli cli
COPY schemas schemas
RUN pip install --no-cache-dir -e .
ENV PROTOCOLO_ENVIRONMENT=production
