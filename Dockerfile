# One image for every service; docker-compose.yml picks the command (`python -m streams`, `protocolo ...`).
# Two stages: the first builds protocolo's wheel and the wheels of its dependencies (no dev dependencies);
# the second installs only those wheels, from that folder and nothing else, and runs as an unprivileged
# user. tests/unit/deploy/test_dockerfile.py runs hadolint on this file.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
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
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PROTOCOLO_ENVIRONMENT=production \
    PROTOCOLO_STATE_DIR=/var/lib/protocolo
RUN groupadd --system --gid 10001 protocolo \
    && useradd --system --uid 10001 --gid protocolo --home-dir /var/lib/protocolo --create-home \
       --shell /usr/sbin/nologin protocolo
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels protocolo==0.1.0 \
    && rm -rf /wheels
# protocolo.avro reads the Avro schemas beside the installed packages (`<site-packages>/schemas/avro`), where
# a checkout has them beside its packages; the path follows the base image's Python (3.11).
COPY schemas /usr/local/lib/python3.11/site-packages/schemas
WORKDIR /var/lib/protocolo
USER 10001:10001
# The /metrics of the service this container runs (its PROTOCOLO_*_METRICS_PORT); compose adds --api for
# the API's /healthz.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "cli.saude"]
CMD ["python", "-m", "api"]
