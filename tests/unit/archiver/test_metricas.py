"""The archiver's metric objects: the archive's progress as gauges that read it live."""

from __future__ import annotations

from archiver.metricas import Metricas


def test_gauges_read_the_archive_when_scraped() -> None:
    metricas = Metricas()
    estado = {"tamanho": 10, "assinados": 0}
    metricas.tamanho.set_function(lambda: estado["tamanho"])
    metricas.assinados.set_function(lambda: estado["assinados"])
    estado.update(tamanho=25, assinados=20)
    assert metricas.registry.get_sample_value("protocolo_archiver_tamanho") == 25
    assert metricas.registry.get_sample_value("protocolo_archiver_checkpoint_eventos") == 20
    metricas.eventos.inc(15)
    assert metricas.registry.get_sample_value("protocolo_archiver_eventos_total") == 15
