"""The FastAPI application: JSON API, portal, health, error handlers."""

from __future__ import annotations

__all__ = ["create_app"]

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import (
    routes_alertas,
    routes_api,
    routes_feed,
    routes_gateway,
    routes_inscricoes,
    routes_portal,
    routes_webhooks,
)
from api.deps import Recursos
from api.inscricoes import InscricaoInvalida
from api.limites import LimitesInscricao
from api.metricas import MedirRequisicoes, Metricas
from api.portal_templates import pagina_erro_http, quer_html
from api.publicacao import Entregador
from api.rejeitados_vivos import RejeitadosVivos
from api.validacao import mensagem_de_erro
from protocolo.alertas.topico import AlertasVivos
from protocolo.avro import catalogo_padrao
from protocolo.cifra import Cofre
from protocolo.credenciais_topico import CredenciaisVivas
from protocolo.errors import InvalidNup, InvalidWebhook, PublishError
from protocolo.geracao_topico import GeracaoViva
from protocolo.inscricoes_topico import InscricoesVivas
from protocolo.integradores_topico import IntegradoresVivos
from protocolo.kafka import make_producer
from protocolo.metricas import servir_metricas
from protocolo.search import make_async_search
from protocolo.settings import Settings
from protocolo.webhooks import PROPOSITO_SEGREDOS
from protocolo.webhooks_topico import EstadosVivos, WebhooksVivos

logger = logging.getLogger(__name__)


def create_app(settings: Settings, *, metricas: Metricas | None = None) -> FastAPI:
    """Build the application; clients are created when it starts serving."""
    metricas = metricas or Metricas()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        parar_metricas = servir_metricas(metricas.registry, settings.api.metrics_port)
        es = make_async_search(settings.search)
        # Bounded: a request waits at most this long for the broker before answering 503.
        prazo_ms = int(settings.api.gateway_timeout_s * 1000)
        entregador = Entregador(
            lambda ao_erro: make_producer(
                settings.kafka, error_cb=ao_erro, **{"message.timeout.ms": prazo_ms}
            )
        )
        entregador.iniciar()
        credenciais = CredenciaisVivas(settings.kafka)
        # Wait briefly for the credentials; the gateway answers 503 until they are loaded.
        await asyncio.get_running_loop().run_in_executor(None, lambda: credenciais.iniciar(timeout_s=10))
        # Confirming and cancelling need the subscription records: follow them like the credentials.
        inscricoes = InscricoesVivas(settings.kafka, settings.chaveiro)
        await asyncio.get_running_loop().run_in_executor(None, lambda: inscricoes.iniciar(timeout_s=10))
        alertas = AlertasVivos(settings.kafka)
        await asyncio.get_running_loop().run_in_executor(None, lambda: alertas.iniciar(timeout_s=10))
        # The agencies' rejections: the raw DLQ followed into a bounded, masked view (api.rejeitados),
        # on the active generation's DLQ (a rebuild switches it; the API itself never restarts for it).
        geracao = GeracaoViva(settings)
        await asyncio.to_thread(geracao.iniciar, timeout_s=10)
        rejeitados = RejeitadosVivos(
            settings.kafka,
            catalogo_padrao(),
            por_orgao=settings.api.gateway_rejeitados_por_orgao,
            topico=lambda: geracao.settings().kafka.topics.dlq,
        )
        rejeitados.iniciar()
        # Integrators, their webhooks and the deliverer's verdicts: followed like the credentials.
        integradores = IntegradoresVivos(settings.kafka)
        webhooks = WebhooksVivos(settings.kafka)
        estados = EstadosVivos(settings.kafka)
        for tabela in (integradores, webhooks, estados):
            await asyncio.to_thread(tabela.iniciar, timeout_s=10)
        app.state.recursos = Recursos(
            settings=settings,
            es=es,
            catalogo=catalogo_padrao(),
            entregador=entregador,
            credenciais=credenciais,
            inscricoes=inscricoes,
            alertas=alertas,
            limites=LimitesInscricao(settings.inscricao, settings.chaveiro.atual.segredo),
            rejeitados=rejeitados,
            metricas=metricas,
            integradores=integradores,
            webhooks=webhooks,
            webhooks_estados=estados,
            cofre=Cofre(settings.chaveiro, PROPOSITO_SEGREDOS),
        )
        try:
            yield
        finally:
            rejeitados.parar()
            geracao.parar()
            for tabela in (integradores, webhooks, estados):
                tabela.parar()
            inscricoes.parar()
            alertas.parar()
            credenciais.parar()
            entregador.parar()
            await es.close()
            del app.state.recursos  # drops the producer, so librdkafka stops reconnecting
            parar_metricas()

    app = FastAPI(
        title="Protocolo — consulta pública de processos",
        description="Busca e acompanhamento da tramitação de processos e documentos.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.add_middleware(MedirRequisicoes, metricas=metricas)
    app.include_router(routes_api.router)
    app.include_router(routes_gateway.router)
    app.include_router(routes_webhooks.router)
    # Before the portal: its /processos/{nup:path} would swallow .../feed.atom and .../inscricao.
    app.include_router(routes_inscricoes.router)
    app.include_router(routes_alertas.router)
    app.include_router(routes_feed.router)
    app.include_router(routes_portal.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/healthz", tags=["operação"])
    async def read_health() -> dict[str, str]:
        """Liveness and the search server's reachability."""
        ok = await app.state.recursos.es.ping()
        if not ok:
            return JSONResponse({"status": "degradado", "busca": "indisponível"}, status_code=503)  # type: ignore[return-value]
        return {"status": "ok"}

    @app.exception_handler(InvalidNup)
    async def _nup_invalido(request: Request, exc: InvalidNup) -> JSONResponse:
        return JSONResponse(
            {"detail": f"NUP inválido: {exc}"}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )

    @app.exception_handler(InscricaoInvalida)
    async def _inscricao_invalida(request: Request, exc: InscricaoInvalida) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc).capitalize()}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )

    @app.exception_handler(InvalidWebhook)
    async def _webhook_invalido(request: Request, exc: InvalidWebhook) -> JSONResponse:
        detalhe = str(exc)
        return JSONResponse(
            {"detail": detalhe[:1].upper() + detalhe[1:] + "."},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(PublishError)
    async def _broker_fora(request: Request, exc: PublishError) -> JSONResponse:
        logger.error("publish failed error=%s", exc)
        return JSONResponse(
            {"detail": "Serviço temporariamente indisponível. Tente novamente em instantes."},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "30"},
        )

    @app.exception_handler(RequestValidationError)
    async def _requisicao_invalida(request: Request, exc: RequestValidationError) -> JSONResponse:
        detalhes = [mensagem_de_erro(e) for e in exc.errors()]
        return JSONResponse(
            {"detail": "; ".join(detalhes)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if quer_html(request):
            return pagina_erro_http(request, exc.status_code)
        padroes = {404: "Recurso não encontrado.", 405: "Método não permitido."}
        detalhe = (
            padroes.get(exc.status_code, exc.detail)
            if exc.detail in ("Not Found", "Method Not Allowed")
            else exc.detail
        )
        return JSONResponse({"detail": detalhe}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _erro_interno(request: Request, exc: Exception) -> Response:
        # Starlette still logs the exception; the citizen gets a page without the stack trace.
        if quer_html(request):
            return pagina_erro_http(request, status.HTTP_500_INTERNAL_SERVER_ERROR)
        return JSONResponse({"detail": "Erro interno. Tente novamente mais tarde."}, status_code=500)

    return app
