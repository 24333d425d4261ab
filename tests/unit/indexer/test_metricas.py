"""The indexer's metric objects: names the dashboard queries, and bounded labels."""

from __future__ import annotations

from prometheus_client import generate_latest

from indexer.metricas import Metricas


def test_index_names_map_to_two_families() -> None:
    metricas = Metricas()
    assert metricas.familia("p-processos", alias_processos="p-processos") == "processos"
    assert metricas.familia("p-movimentos", alias_processos="p-processos") == "movimentos"


def test_each_instance_has_its_own_registry() -> None:
    uma, outra = Metricas(), Metricas()
    uma.documentos.labels("processos").inc(5)
    uma.retentativas.inc()
    rotulos = {"indice": "processos"}
    assert uma.registry.get_sample_value("protocolo_indexer_documentos_total", rotulos) == 5
    assert outra.registry.get_sample_value("protocolo_indexer_documentos_total", rotulos) is None
    texto = generate_latest(uma.registry).decode()
    for nome in (
        "protocolo_indexer_retentativas_total 1.0",
        "# TYPE protocolo_indexer_atraso_consumidor gauge",
        "# TYPE protocolo_indexer_lote_segundos histogram",
        "# TYPE protocolo_indexer_rejeitados_total counter",
        "# TYPE protocolo_indexer_dlq_total counter",
    ):
        assert nome in texto
