"""Specification of CSV files (producers.formatos.planilha) and of choosing a reader (producers.formatos)."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from producers.formatos import EventoLido, Formato, FormatoError, formato_do_caminho, ler_arquivo
from producers.formatos.planilha import COLUNAS, evento_para_linha, ler_csv
from protocolo.documentos import gerar_cnpj, gerar_cpf
from protocolo.errors import Violation
from protocolo.model import Evento, Interessado, NivelAcesso, Operacao, TipoProtocolo, Unidade
from protocolo.nup import gerar_nup

EXEMPLO = Path(__file__).parents[4] / "examples" / "eventos.csv"
AGORA = datetime(2030, 1, 1, tzinfo=UTC)
NUP = "23037.001462/2021-65"
ENVIO = {
    "id": "ev-1",
    "orgao": "26000",
    "nup": NUP,
    "tipo": "PROCESSO",
    "operacao": "ENVIO",
    "ocorrido_em": "2021-03-02T14:40:00-03:00",
    "nivel_acesso": "PUBLICO",
    "unidade_origem_codigo": "110",
    "unidade_destino_codigo": "230",
}


def _escrever(tmp_path: Path, linhas: list[dict[str, str]], *, delimitador: str = ";", **extra: Any) -> Path:
    colunas = list(dict.fromkeys(c for linha in linhas for c in linha))
    caminho = tmp_path / "eventos.csv"
    with caminho.open("w", encoding=extra.get("encoding", "utf-8"), newline="") as arquivo:
        escritor = csv.DictWriter(arquivo, colunas, delimiter=delimitador, restval="")
        escritor.writeheader()
        escritor.writerows(linhas)
    return caminho


def _ler(caminho: Path, **opcoes: Any) -> list[EventoLido]:
    return list(ler_csv(caminho, agora=AGORA, **opcoes))


def _unico(caminho: Path, **opcoes: Any) -> EventoLido:
    (lido,) = _ler(caminho, **opcoes)
    return lido


def test_the_example_file_is_valid() -> None:
    lidos = list(ler_arquivo(EXEMPLO))
    assert len(lidos) == 6
    assert all(r.evento is not None and not r.violacoes for r in lidos), lidos
    assert [r.local for r in lidos] == [f"linha {n}" for n in range(2, 8)]
    primeiro = lidos[0].evento
    assert primeiro is not None and primeiro.interessados == (
        Interessado("Maria da Conceição Souza", "52998224725"),
    )


@pytest.mark.parametrize("delimitador", [";", ","])
def test_semicolon_and_comma_both_work(tmp_path: Path, delimitador: str) -> None:
    lido = _unico(_escrever(tmp_path, [ENVIO], delimitador=delimitador))
    assert lido.evento is not None
    assert lido.evento.unidade_origem == Unidade("110")
    assert lido.evento.unidade_destino == Unidade("230")


def test_a_byte_order_mark_and_windows_line_ends_are_accepted(tmp_path: Path) -> None:
    caminho = tmp_path / "excel.csv"
    texto = ";".join(ENVIO) + "\r\n" + ";".join(ENVIO.values()) + "\r\n"
    caminho.write_bytes(b"\xef\xbb\xbf" + texto.encode())
    esperado = _unico(_escrever(tmp_path, [ENVIO])).evento
    assert esperado is not None and _unico(caminho).evento == esperado


def test_column_names_ignore_case_and_spaces(tmp_path: Path) -> None:
    lido = _unico(_escrever(tmp_path, [{f" {c.upper()} ": v for c, v in ENVIO.items()}])).evento
    esperado = _unico(_escrever(tmp_path, [ENVIO])).evento
    assert esperado is not None and lido == esperado


def test_an_empty_cell_is_an_absent_field(tmp_path: Path) -> None:
    evento = _unico(_escrever(tmp_path, [{**ENVIO, "especie": "", "unidade_destino_sigla": "  "}])).evento
    assert evento is not None and evento.especie is None and evento.unidade_destino == Unidade("230")


def test_a_unit_exists_when_any_of_its_cells_is_filled(tmp_path: Path) -> None:
    lido = _unico(
        _escrever(tmp_path, [{**ENVIO, "unidade_destino_codigo": "", "unidade_destino_sigla": "CGGP"}])
    )
    assert lido.violacoes == (Violation("unidade_destino_codigo", "campo obrigatório ausente"),)


def test_interessados_are_name_and_document_pairs(tmp_path: Path) -> None:
    celula = "Maria da Silva|529.982.247-25; Empresa X Ltda | 11.222.333/0001-81 ;João Souza;"
    evento = _unico(_escrever(tmp_path, [{**ENVIO, "interessados": celula}])).evento
    assert evento is not None
    assert evento.interessados == (
        Interessado("Maria da Silva", "52998224725"),
        Interessado("Empresa X Ltda", "11222333000181"),
        Interessado("João Souza"),
    )


@pytest.mark.parametrize(
    ("celula", "motivo"),
    [
        ("Maria|529.982.247-25|extra", "interessado 1: use 'Nome|CPF ou CNPJ'"),
        (
            "Maria|529.982.247-26",
            "interessado 1 (documento): CPF ou CNPJ com dígitos verificadores incorretos",
        ),
        ("Maria; |529.982.247-25", "interessado 2 (nome): campo obrigatório ausente"),
    ],
)
def test_bad_interessados_name_the_column_and_the_person(tmp_path: Path, celula: str, motivo: str) -> None:
    lido = _unico(_escrever(tmp_path, [{**ENVIO, "interessados": celula}]))
    assert lido.local == "linha 2"
    assert lido.violacoes == (Violation("interessados", motivo),)


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("2021-03-02T14:40:00-03:00", datetime(2021, 3, 2, 14, 40, tzinfo=timezone(timedelta(hours=-3)))),
        ("2021-03-02 14:40", datetime(2021, 3, 2, 17, 40, tzinfo=UTC)),
        ("02/03/2021 14:40:00", datetime(2021, 3, 2, 17, 40, tzinfo=UTC)),
        ("15/01/2018 14:40", datetime(2018, 1, 15, 16, 40, tzinfo=UTC)),  # Brasília summer time, UTC-2
        ("2021-03-02T17:40:00Z", datetime(2021, 3, 2, 17, 40, tzinfo=UTC)),
    ],
)
def test_dates_without_offset_are_brasilia_time(tmp_path: Path, texto: str, esperado: datetime) -> None:
    evento = _unico(_escrever(tmp_path, [{**ENVIO, "ocorrido_em": texto}])).evento
    assert evento is not None and evento.ocorrido_em == esperado


@pytest.mark.parametrize("texto", ["02/03/2021", "2021-13-02 10:00", "ontem", "2021-03-02T14:40:00-0300x"])
def test_a_bad_date_is_one_violation_naming_the_accepted_formats(tmp_path: Path, texto: str) -> None:
    lido = _unico(_escrever(tmp_path, [{**ENVIO, "ocorrido_em": texto}]))
    (violacao,) = lido.violacoes
    assert violacao.campo == "ocorrido_em"
    assert texto in violacao.motivo and "05/03/2024 14:30:00" in violacao.motivo


def test_violations_name_the_line_and_the_column(tmp_path: Path) -> None:
    linhas = [ENVIO, {**ENVIO, "id": "ev-2", "nup": "23037.001462/2021-62", "unidade_origem_codigo": ""}]
    primeiro, segundo = _ler(_escrever(tmp_path, linhas))
    assert primeiro.evento is not None
    assert segundo.numero == 3 and segundo.local == "linha 3" and segundo.evento is None
    assert segundo.violacoes == (
        Violation("nup", "dígitos verificadores incorretos: esperados 65, informados 62"),
        Violation("unidade_origem_codigo", "obrigatório na operação ENVIO"),
    )


def test_long_unit_names_are_reported_in_their_column(tmp_path: Path) -> None:
    lido = _unico(_escrever(tmp_path, [{**ENVIO, "unidade_destino_nome": "x" * 301}]))
    assert [v.campo for v in lido.violacoes] == ["unidade_destino_nome"]


def test_line_numbers_count_cells_that_span_lines(tmp_path: Path) -> None:
    linhas = [{**ENVIO, "observacao": "primeira\nsegunda\nterceira"}, {**ENVIO, "id": "ev-2", "nup": "1"}]
    primeiro, segundo = _ler(_escrever(tmp_path, linhas))
    assert primeiro.numero == 2 and primeiro.evento is not None
    assert primeiro.evento.observacao == "primeira\nsegunda\nterceira"
    assert segundo.numero == 5 and segundo.local == "linha 5"


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    caminho = tmp_path / "eventos.csv"
    caminho.write_text(";".join(ENVIO) + "\n\n;;;;;;;;\n" + ";".join(ENVIO.values()) + "\n", encoding="utf-8")
    lido = _unico(caminho)
    assert lido.numero == 4 and lido.evento is not None


def test_a_row_of_another_width_is_rejected(tmp_path: Path) -> None:
    caminho = tmp_path / "eventos.csv"
    caminho.write_text(";".join(ENVIO) + "\n" + ";".join(list(ENVIO.values())[:-1]) + "\n", encoding="utf-8")
    assert _unico(caminho).violacoes == (Violation("linha", "a linha tem 8 colunas; o cabeçalho tem 9"),)


@pytest.mark.parametrize(
    ("cabecalho", "violacoes"),
    [
        ([*ENVIO, "nup_relacinado"], [Violation("nup_relacinado", "coluna desconhecida")]),
        ([*ENVIO, ""], [Violation("coluna 10", "coluna sem nome")]),
        ([*ENVIO, "NUP"], [Violation("nup", "coluna repetida")]),
        ([c for c in ENVIO if c != "ocorrido_em"], [Violation("ocorrido_em", "coluna obrigatória ausente")]),
        ([c for c in ENVIO if c != "orgao"], [Violation("orgao", "coluna obrigatória ausente")]),
    ],
)
def test_a_bad_header_is_one_rejected_record_and_stops_the_reading(
    tmp_path: Path, cabecalho: list[str], violacoes: list[Violation]
) -> None:
    caminho = tmp_path / "eventos.csv"
    caminho.write_text(";".join(cabecalho) + "\n" + ";".join(["x"] * len(cabecalho)) + "\n", encoding="utf-8")
    assert _ler(caminho) == [EventoLido(1, "linha 1 (cabeçalho)", None, tuple(violacoes))]


def test_an_empty_file_says_the_header_is_missing(tmp_path: Path) -> None:
    caminho = tmp_path / "vazio.csv"
    caminho.write_text("\n", encoding="utf-8")
    assert _unico(caminho).violacoes == (Violation("cabeçalho", "falta o cabeçalho na linha 1"),)


def test_orgao_and_nivel_acesso_defaults_fill_missing_columns_and_cells(tmp_path: Path) -> None:
    sem = {c: v for c, v in ENVIO.items() if c not in ("orgao", "nivel_acesso")}
    evento = _unico(
        _escrever(tmp_path, [sem]), orgao="99999", nivel_acesso_padrao=NivelAcesso.RESTRITO
    ).evento
    assert evento is not None and evento.orgao == "99999" and evento.nivel_acesso is NivelAcesso.RESTRITO
    preenchido = _unico(_escrever(tmp_path, [ENVIO]), orgao="99999").evento
    assert preenchido is not None and preenchido.orgao == "26000"


def test_text_not_in_utf8_is_reported_at_its_line(tmp_path: Path) -> None:
    caminho = tmp_path / "latin1.csv"
    linhas = [ENVIO, {**ENVIO, "id": "ev-2"}, {**ENVIO, "id": "ev-3", "assunto": "Licitação"}]
    _escrever(tmp_path, linhas).rename(caminho)
    caminho.write_bytes(caminho.read_text(encoding="utf-8").encode("latin-1"))
    *validos, erro = _ler(caminho)
    assert len(validos) == 2 and all(r.evento for r in validos)
    assert erro.local == "linha 4"
    assert erro.violacoes == (
        Violation("arquivo", "o texto não está em UTF-8; salve a planilha como 'CSV UTF-8'"),
    )


def test_broken_csv_is_reported_at_its_line(tmp_path: Path) -> None:
    caminho = tmp_path / "enorme.csv"
    enorme = ";".join(["x" * 200_000, *list(ENVIO.values())[1:]])
    caminho.write_text("\n".join([";".join(ENVIO), ";".join(ENVIO.values()), enorme]), encoding="utf-8")
    primeiro, erro = _ler(caminho)
    assert primeiro.evento is not None
    assert erro.local == "linha 3"
    assert erro.violacoes == (Violation("arquivo", "CSV inválido: field larger than field limit (131072)"),)


def test_the_reader_is_chosen_by_extension_or_by_name(tmp_path: Path) -> None:
    assert formato_do_caminho(Path("a.CSV")) is Formato.CSV
    assert formato_do_caminho(Path("a.ndjson")) is Formato.JSONL
    assert formato_do_caminho(Path("a.xml")) is Formato.XML_PI
    with pytest.raises(FormatoError, match="extensão '.txt' desconhecida em a.txt"):
        ler_arquivo(Path("a.txt"))
    texto = _escrever(tmp_path, [ENVIO]).rename(tmp_path / "eventos.txt")
    assert [r.evento is not None for r in ler_arquivo(texto, formato=Formato.CSV, agora=AGORA)] == [True]


def test_json_lines_records_say_their_line(tmp_path: Path) -> None:
    caminho = tmp_path / "eventos.jsonl"
    caminho.write_text('\n{"id": 1}\n{', encoding="utf-8")
    invalido, quebrado = ler_arquivo(caminho)
    assert invalido.local == "linha 2" and invalido.violacoes[0] == Violation(
        "id", "deve ser texto, recebido int"
    )
    assert quebrado.local == "linha 3" and quebrado.violacoes[0].campo == "json"


# Round trip: an event written as a row reads back as the same event.
_TEXTO = (
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
_NOME = _TEXTO.filter(lambda t: not set(t) & set(";|"))
_UNIDADE = st.builds(Unidade, _TEXTO, st.none() | _TEXTO, st.none() | _TEXTO)
_OFFSET = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@st.composite
def eventos(draw: st.DrawFn) -> Evento:
    operacao = draw(st.sampled_from(Operacao))
    rng = draw(st.randoms(use_true_random=False))
    nup = gerar_nup(unidade=draw(st.integers(0, 99_999)), sequencial=draw(st.integers(0, 999_999)), ano=2020)
    outro = gerar_nup(unidade=1, sequencial=draw(st.integers(0, 999_999)), ano=2019)
    documento = st.none() | st.sampled_from([gerar_cpf(rng), gerar_cnpj(rng)])
    return Evento(
        id=draw(_TEXTO),
        orgao=draw(st.text("0123456789", min_size=1, max_size=8)),
        nup=nup.digitos,
        tipo=draw(st.sampled_from(TipoProtocolo)),
        operacao=operacao,
        ocorrido_em=draw(st.datetimes(datetime(1990, 1, 1), datetime(2029, 1, 1), timezones=_OFFSET)),
        nivel_acesso=draw(st.sampled_from(NivelAcesso)),
        unidade_origem=draw(_UNIDADE),
        unidade_destino=draw(_UNIDADE),
        especie=draw(st.none() | _TEXTO),
        assunto=draw(_TEXTO),
        interessados=tuple(draw(st.lists(st.builds(Interessado, _NOME, documento), max_size=3))),
        observacao=draw(st.none() | _TEXTO.map(lambda t: t.replace("x", "\n").strip()).filter(bool)),
        nup_relacionado=outro.digitos,
    )


@settings(
    max_examples=60,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.large_base_example,
        HealthCheck.too_slow,
    ],
)
@given(st.lists(eventos(), min_size=1, max_size=3), st.sampled_from([";", ","]))
def test_events_written_as_rows_read_back_unchanged(
    tmp_path: Path, lista: list[Evento], delimitador: str
) -> None:
    caminho = tmp_path / "ida_e_volta.csv"
    with caminho.open("w", encoding="utf-8", newline="") as arquivo:
        escritor = csv.DictWriter(arquivo, COLUNAS, delimiter=delimitador)
        escritor.writeheader()
        escritor.writerows(evento_para_linha(e) for e in lista)
    lidos = _ler(caminho)
    assert [r.violacoes for r in lidos] == [()] * len(lista)
    assert [r.evento for r in lidos] == lista


def test_names_that_would_break_the_cell_cannot_be_written() -> None:
    evento = Evento(
        "a", "1", "23037001462202165", TipoProtocolo.PROCESSO, Operacao.CIENCIA, AGORA, NivelAcesso.PUBLICO
    )
    with pytest.raises(ValueError, match="não pode conter"):
        evento_para_linha(replace(evento, interessados=(Interessado("A; B"),)))
