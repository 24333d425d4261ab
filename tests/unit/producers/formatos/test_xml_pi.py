"""Specification of Protocolo Integrado XML files (producers.formatos.xml_pi and xml_pi_eventos)."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from producers.formatos import EventoLido, FormatoError, ler_arquivo
from producers.formatos.xml_pi import ler_itens
from protocolo.errors import Violation
from protocolo.model import Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade

EXEMPLO = Path(__file__).parents[4] / "examples" / "protocolo_integrado.xml"
AGORA = datetime(2030, 1, 1, tzinfo=UTC)
NUP = "23037001462202165"  # 23037.001462/2021-65
RELACIONADO = "60041.001093/2020-97"
CGGP = "Coordenação-Geral de Gestão de Pessoas/SAA/SE/MEC/Ministério da Educação"


def _item(
    operacao: str = "Processo recebido na unidade",
    quando: str = "2021-03-03T10:05:00-03:00",
    unidade: str = CGGP,
    extra: str = "",
) -> str:
    return (
        "      <ItemHistorico>\n"
        f"        <DataHoraOperacao>{quando}</DataHoraOperacao>\n"
        f"        <UnidadeOperacao>{unidade}</UnidadeOperacao>\n"
        f"        <Operacao>{operacao}</Operacao>\n"
        f"{extra}"
        "      </ItemHistorico>\n"
    )


def _documento(*itens: str, protocolo: str = NUP, antes: str = "", depois: str = "") -> str:
    return (
        "  <Documento>\n"
        f"    <Protocolo>{protocolo}</Protocolo>\n"
        "    <DataHoraProducao>2021-03-02T00:00:00-03:00</DataHoraProducao>\n"
        "    <Especie>Processo</Especie>\n"
        "    <Assunto>Pessoal: Aposentadoria</Assunto>\n"
        "    <ListaInteressados>\n"
        "      <Interessado><NomeInteressado>Maria da Conceição Souza</NomeInteressado></Interessado>\n"
        "    </ListaInteressados>\n"
        f"{antes}"
        "    <Historico>\n"
        f"{''.join(itens)}"
        "    </Historico>\n"
        f"{depois}"
        "  </Documento>\n"
    )


def _xml(*documentos: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListaDocumentos>\n'
        + "".join(documentos)
        + "</ListaDocumentos>\n"
    )


def _ler(tmp_path: Path, texto: str, **opcoes: Any) -> list[EventoLido]:
    caminho = tmp_path / "pi.xml"
    caminho.write_text(texto, encoding="utf-8")
    return list(ler_arquivo(caminho, orgao=opcoes.pop("orgao", "26000"), agora=AGORA, **opcoes))


def _linha(texto: str, trecho: str, ocorrencia: int = 1) -> int:
    """The 1-based line of the n-th occurrence of `trecho`."""
    posicao = -1
    for _ in range(ocorrencia):
        posicao = texto.index(trecho, posicao + 1)
    return texto.count("\n", 0, posicao) + 1


def test_the_example_file_is_valid() -> None:
    lidos = list(ler_arquivo(EXEMPLO, orgao="26000"))
    assert len(lidos) == 17
    assert [r.violacoes for r in lidos] == [()] * 17
    operacoes = [r.evento.operacao for r in lidos if r.evento]
    assert operacoes[:7] == [
        Operacao.AUTUACAO,
        Operacao.ENVIO,
        Operacao.RECEBIMENTO,
        Operacao.RELACIONAMENTO,
        Operacao.SOBRESTAMENTO,
        Operacao.REMOCAO_SOBRESTAMENTO,
        Operacao.CONCLUSAO,
    ]
    assert lidos[0].local == "Documento 1 (NUP 23037.001462/2021-65), ItemHistorico 1, linha 17"
    assert lidos[-1].local == "Documento 3 (NUP 23123.004567/2023-69), ItemHistorico 5, linha 123"


def test_an_item_becomes_an_event_with_its_documents_data(tmp_path: Path) -> None:
    (lido,) = _ler(
        tmp_path, _xml(_documento(_item("Processo público gerado", unidade="Protocolo Central/MEC")))
    )
    evento = lido.evento
    assert evento is not None
    assert evento.id.startswith("pi-") and len(evento.id) == 19
    assert (evento.orgao, evento.nup, evento.tipo) == ("26000", NUP, TipoProtocolo.PROCESSO)
    assert evento.operacao is Operacao.AUTUACAO and evento.nivel_acesso is NivelAcesso.PUBLICO
    assert evento.ocorrido_em == datetime(2021, 3, 3, 13, 5, tzinfo=UTC)
    assert evento.especie == "Processo" and evento.assunto == "Pessoal: Aposentadoria"
    assert evento.interessados == (Interessado("Maria da Conceição Souza"),)
    assert evento.observacao == "Processo público gerado"
    assert evento.unidade_origem is not None and evento.unidade_origem.nome == "Protocolo Central/MEC"
    assert evento.unidade_origem.codigo.startswith("pi-") and evento.unidade_destino is None


def test_sei_remessa_is_recorded_at_the_receiving_unit_and_names_the_sender(tmp_path: Path) -> None:
    (lido,) = _ler(tmp_path, _xml(_documento(_item("Processo remetido pela unidade MEC-PROT"))))
    evento = lido.evento
    assert evento is not None and evento.operacao is Operacao.ENVIO
    assert evento.unidade_origem == Unidade("MEC-PROT", sigla="MEC-PROT")
    assert evento.unidade_destino is not None and evento.unidade_destino.nome == CGGP


def test_every_item_carries_the_document_data_so_a_later_export_reads_the_same(tmp_path: Path) -> None:
    itens = [_item(quando=f"2021-03-0{d}T10:00:00-03:00") for d in range(3, 7)]
    completo = _ler(tmp_path, _xml(_documento(*itens)))
    parcial = _ler(tmp_path, _xml(_documento(*itens[2:])))
    assert [r.evento for r in parcial] == [r.evento for r in completo[2:]]


@pytest.mark.parametrize(
    "quando",
    ["2021-03-02T14:40:00-03:00", "2021-03-02 14:40:00", "02/03/2021 14:40:00", "2021-03-02T17:40:00Z"],
)
def test_ids_do_not_change_with_position_document_or_date_spelling(tmp_path: Path, quando: str) -> None:
    original = _ler(
        tmp_path, _xml(_documento(_item("Processo recebido na unidade", "2021-03-02T14:40:00-03:00")))
    )
    outro = _documento(_item("Ciência no processo"), protocolo="60041001093202097")
    relido = _ler(
        tmp_path,
        _xml(
            outro,
            _documento(
                _item("Conclusão do processo na unidade"), _item("Processo  recebido na unidade", quando)
            ),
        ),
    )
    assert relido[-1].evento is not None and original[0].evento is not None
    assert relido[-1].evento.id == original[0].evento.id


@pytest.mark.parametrize(
    "mudanca",
    [
        {"quando": "2021-03-02T14:41:00-03:00"},
        {"unidade": "Outra unidade"},
        {"operacao": "Ciência no processo"},
    ],
)
def test_ids_differ_when_any_part_of_the_item_differs(tmp_path: Path, mudanca: dict[str, str]) -> None:
    base = {"operacao": "Processo recebido na unidade", "quando": "2021-03-02T14:40:00-03:00"}
    (a,) = _ler(tmp_path, _xml(_documento(_item(**base))))
    (b,) = _ler(tmp_path, _xml(_documento(_item(**{**base, **mudanca}))))
    (c,) = _ler(tmp_path, _xml(_documento(_item(**base), protocolo="60041001093202097")))
    assert a.evento and b.evento and c.evento
    assert len({a.evento.id, b.evento.id, c.evento.id}) == 3


def test_dates_without_offset_are_brasilia_time_with_its_old_summer_time(tmp_path: Path) -> None:
    inverno, verao = _ler(
        tmp_path, _xml(_documento(_item(quando="2018-07-02 10:00"), _item(quando="2018-01-15 10:00")))
    )
    assert inverno.evento and inverno.evento.ocorrido_em.utcoffset() == timedelta(hours=-3)
    assert verao.evento and verao.evento.ocorrido_em.utcoffset() == timedelta(hours=-2)
    assert verao.evento.ocorrido_em == datetime(2018, 1, 15, 10, tzinfo=timezone(timedelta(hours=-2)))


def test_the_access_level_follows_the_texts_and_never_goes_below_the_default(tmp_path: Path) -> None:
    itens = [
        _item("Processo restrito gerado, Informação Pessoal (Art. 31 da Lei nº 12.527/2011)"),
        _item("Processo recebido na unidade", "2021-03-04T10:00:00-03:00"),
        _item("Alterado nível de acesso geral para Público", "2021-03-05T10:00:00-03:00"),
        _item("Conclusão do processo na unidade", "2021-03-06T10:00:00-03:00"),
    ]
    texto = _xml(
        _documento(*itens), _documento(_item("Processo público gerado"), protocolo="60041001093202097")
    )
    niveis = [r.evento.nivel_acesso.value for r in _ler(tmp_path, texto) if r.evento]
    assert niveis == ["RESTRITO", "RESTRITO", "PUBLICO", "PUBLICO", "PUBLICO"]
    restritos = _ler(tmp_path, texto, nivel_acesso_padrao=NivelAcesso.RESTRITO)
    assert {r.evento.nivel_acesso for r in restritos if r.evento} == {NivelAcesso.RESTRITO}
    sigiloso = _ler(tmp_path, _xml(_documento(_item("Processo sigiloso (reservado) gerado"))))
    assert sigiloso[0].evento and sigiloso[0].evento.nivel_acesso is NivelAcesso.SIGILOSO


def test_xml_needs_the_publishing_orgao(tmp_path: Path) -> None:
    caminho = tmp_path / "pi.xml"
    caminho.write_text(_xml(_documento(_item())), encoding="utf-8")
    with pytest.raises(FormatoError, match="não informa o órgão"):
        ler_arquivo(caminho)


def _violacoes(tmp_path: Path, texto: str) -> list[tuple[str, tuple[Violation, ...]]]:
    return [(r.local, r.violacoes) for r in _ler(tmp_path, texto)]


def test_an_unknown_operation_rejects_its_item_naming_the_text(tmp_path: Path) -> None:
    texto = _xml(_documento(_item(), _item("Assinado Documento 0123456 por fulano")))
    valido, rejeitado = _ler(tmp_path, texto)
    assert valido.evento is not None and rejeitado.evento is None
    linha = _linha(texto, "<ItemHistorico>", 2)
    assert rejeitado.local == f"Documento 1 (NUP 23037.001462/2021-65), ItemHistorico 2, linha {linha}"
    assert rejeitado.numero == linha
    motivo = "operação não reconhecida: 'Assinado Documento 0123456 por fulano'"
    assert rejeitado.violacoes == (Violation("Operacao", motivo),)


@pytest.mark.parametrize(
    ("item", "violacao"),
    [
        (_item(quando="ontem"), Violation("DataHoraOperacao", "data e hora inválidas 'ontem'")),
        (_item(quando=""), Violation("DataHoraOperacao", "campo obrigatório ausente")),
        (_item(quando="2040-01-01T10:00:00-03:00"), Violation("DataHoraOperacao", "data no futuro")),
        (_item(operacao=""), Violation("Operacao", "campo obrigatório ausente")),
        (_item(unidade=""), Violation("UnidadeOperacao", "obrigatório na operação RECEBIMENTO")),
        (_item(unidade="x" * 301), Violation("UnidadeOperacao", "texto longo demais (301 caracteres")),
        (_item("Envio do processo"), Violation("Operacao", "obrigatório na operação ENVIO")),
        (_item(f"Anexado ao processo {RELACIONADO[:-1]}8"), Violation("Operacao", "dígito")),
        (_item("Processo remetido pela unidade " + "S" * 60), Violation("Operacao", "texto longo demais")),
        (
            _item(extra="        <Usuario>fulano</Usuario>\n"),
            Violation("Usuario", "elemento desconhecido em <ItemHistorico>"),
        ),
        (_item(extra="        <Operacao>Ciência</Operacao>\n"), Violation("Operacao", "elemento repetido")),
    ],
)
def test_item_problems_name_the_item_and_the_element(tmp_path: Path, item: str, violacao: Violation) -> None:
    texto = _xml(_documento(_item(), item))
    valido, rejeitado = _ler(tmp_path, texto)
    assert valido.evento is not None
    assert rejeitado.local.endswith(f"ItemHistorico 2, linha {_linha(texto, '<ItemHistorico>', 2)}")
    assert [v.campo for v in rejeitado.violacoes] == [violacao.campo]
    assert violacao.motivo in rejeitado.violacoes[0].motivo


@pytest.mark.parametrize(
    ("documento", "violacao", "onde"),
    [
        (
            _documento(_item(), _item(), protocolo="123"),
            Violation("Protocolo", "o NUP deve ter 17 dígitos"),
            "Documento 1 (Protocolo '123')",
        ),
        (
            _documento(_item(), _item(), protocolo=""),
            Violation("Protocolo", "campo obrigatório ausente"),
            "Documento 1,",
        ),
        (
            _documento(_item(), _item(), antes="    <Nivel>Publico</Nivel>\n"),
            Violation("Nivel", "elemento desconhecido em <Documento>"),
            "Documento 1 (NUP",
        ),
        (
            _documento(_item(), _item(), antes="    <Assunto>Outro</Assunto>\n"),
            Violation("Assunto", "elemento repetido"),
            "Documento 1 (NUP",
        ),
        (
            _documento(_item(), _item()).replace(
                "<Interessado><NomeInteressado>Maria da Conceição Souza</NomeInteressado>", "<Interessado>"
            ),
            Violation("ListaInteressados", "<Interessado> sem <NomeInteressado>"),
            "Documento 1 (NUP",
        ),
        (
            _documento(_item(), _item()).replace("Pessoal: Aposentadoria", "a" * 4001),
            Violation("Assunto", "texto longo demais (4001 caracteres"),
            "Documento 1 (NUP",
        ),
    ],
)
def test_document_problems_reject_each_of_its_items(
    tmp_path: Path, documento: str, violacao: Violation, onde: str
) -> None:
    lidos = _ler(tmp_path, _xml(documento, _documento(_item(), protocolo="60041001093202097")))
    *rejeitados, valido = lidos
    assert valido.evento is not None and len(rejeitados) == 2
    for lido in rejeitados:
        assert lido.local.startswith(onde)
        assert [v.campo for v in lido.violacoes] == [violacao.campo]
        assert violacao.motivo in lido.violacoes[0].motivo


def test_an_element_after_historico_is_reported_at_its_line_and_earlier_items_stand(tmp_path: Path) -> None:
    texto = _xml(_documento(_item(), depois="    <Especie>Processo</Especie>\n"))
    item, tardio = _ler(tmp_path, texto)
    assert item.evento is not None
    linha = _linha(texto, "<Especie>", 2)
    assert tardio.local == f"Documento 1 (NUP 23037.001462/2021-65), linha {linha}"
    assert tardio.violacoes[0].campo == "Especie" and "antes de <Historico>" in tardio.violacoes[0].motivo


def test_a_document_without_items_is_reported(tmp_path: Path) -> None:
    texto = _xml(_documento())
    assert _violacoes(tmp_path, texto) == [
        (
            f"Documento 1 (NUP 23037.001462/2021-65), linha {_linha(texto, '<Documento>')}",
            (Violation("Historico", "o Documento não tem nenhum <ItemHistorico>"),),
        )
    ]


def test_malformed_xml_ends_the_reading_at_its_line_and_column(tmp_path: Path) -> None:
    texto = _xml(_documento(_item()), _documento(_item()).replace("</Operacao>", "</Operacoes>"))
    primeiro, erro = _ler(tmp_path, texto)
    assert primeiro.evento is not None
    linha = _linha(texto, "</Operacoes>")
    inicio = texto.splitlines()[linha - 1].index("</Operacoes>") + 1
    local = erro.local.removeprefix(f"linha {linha}, coluna ")
    assert local.isdigit() and inicio <= int(local) < inicio + len("</Operacoes>")
    motivo = f"a tag de fechamento não corresponde à de abertura ({erro.local})"
    assert erro.violacoes == (Violation("xml", motivo),)


def test_an_empty_file_is_reported(tmp_path: Path) -> None:
    (erro,) = _ler(tmp_path, "")
    assert erro.violacoes[0].campo == "xml" and "acabou antes" in erro.violacoes[0].motivo


def test_entities_are_never_expanded(tmp_path: Path) -> None:
    bomba = (
        '<?xml version="1.0"?>\n<!DOCTYPE ListaDocumentos [\n <!ENTITY a "aaaaaaaaaa">\n'
        ' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n<ListaDocumentos>&b;</ListaDocumentos>\n'
    )
    (erro,) = _ler(tmp_path, bomba)
    assert erro.local == "linha 2"
    assert erro.violacoes == (Violation("xml", "DOCTYPE não é aceito: o formato não usa DTD nem entidades"),)


def test_a_file_of_something_else_says_what_was_expected(tmp_path: Path) -> None:
    assert _violacoes(tmp_path, "<Processos><Processo/></Processos>") == [
        (
            "linha 1",
            (Violation("Processos", "elemento desconhecido; esperado ListaDocumentos ou Documento"),),
        ),
        ("arquivo", (Violation("Documento", "nenhum <Documento> no arquivo"),)),
    ]


def test_a_soap_envelope_a_single_document_and_latin1_are_accepted(tmp_path: Path) -> None:
    envelope = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:end="http://endpoint.ws.protocolo.gov.br/"><soapenv:Header/><soapenv:Body>'
        f"<end:enviarListaDocumentos>{_xml(_documento(_item())).split('?>', 1)[1]}"
        "</end:enviarListaDocumentos></soapenv:Body></soapenv:Envelope>"
    )
    assert [r.evento is not None for r in _ler(tmp_path, envelope)] == [True]
    assert [r.evento is not None for r in _ler(tmp_path, _documento(_item()))] == [True]
    caminho = tmp_path / "latin1.xml"
    caminho.write_bytes(_xml(_documento(_item())).replace("UTF-8", "ISO-8859-1").encode("latin-1"))
    (lido,) = ler_arquivo(caminho, orgao="26000", agora=AGORA)
    assert lido.evento is not None and lido.evento.interessados[0].nome == "Maria da Conceição Souza"


def test_200k_items_are_parsed_in_constant_memory(tmp_path: Path) -> None:
    caminho = tmp_path / "grande.xml"
    # Lean items keep the test fast under tracemalloc; records of full items are the next test's business.
    item = "<ItemHistorico><Operacao>Processo recebido na unidade, com despacho</Operacao></ItemHistorico>\n"
    with caminho.open("w", encoding="utf-8") as arquivo:
        arquivo.write(f"<ListaDocumentos><Documento><Protocolo>{NUP}</Protocolo><Historico>")
        arquivo.writelines(item for _ in range(200_000))
        arquivo.write("</Historico></Documento></ListaDocumentos>")
    tracemalloc.start()
    try:
        lidos = sum(1 for lido in ler_itens(caminho) if not isinstance(lido, EventoLido))
        _, pico = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lidos == 200_000
    assert caminho.stat().st_size > 15_000_000 and pico < 4_000_000, f"pico de {pico} bytes"


def test_records_are_produced_one_by_one_without_piling_up(tmp_path: Path) -> None:
    itens = [_item(quando=f"2021-03-03T10:{i % 60:02d}:00-03:00") for i in range(50)]
    texto = _xml(*(_documento(*itens) for _ in range(100)))
    caminho = tmp_path / "medio.xml"
    caminho.write_text(texto, encoding="utf-8")
    tracemalloc.start()
    try:
        validos = sum(1 for r in ler_arquivo(caminho, orgao="26000", agora=AGORA) if r.evento)
        _, pico = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 5,000 records kept alive would take well over 10 MB.
    assert validos == 5_000 and pico < 3_000_000, f"pico de {pico} bytes"
