"""`protocolo publish` as agencies run it: every rejection path pinned to its exact output, on a real broker.

Each test runs the real command line (`run_cli`) on a small file with one valid record beside the bad one,
and checks the stderr line that names the problem, the stdout summary and the exit status.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cli.stack import porta_livre
from protocolo.nup import gerar_nup
from protocolo.settings import Settings
from tests.fixtures.cli import run_cli
from tests.fixtures.kafka import ler_eventos

CABECALHO_CSV = (
    "id;orgao;nup;tipo;operacao;ocorrido_em;nivel_acesso;unidade_origem_codigo;unidade_destino_codigo"
)
LINHA_CSV = "c-1;23000;23037.001462/2021-65;PROCESSO;ENVIO;2021-03-02T14:40:00-03:00;PUBLICO;2300001;2300004"


def evento(n: int, **campos: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"cli-{n}",
        "orgao": "23000",
        "nup": gerar_nup(unidade=23037, sequencial=n, ano=2024).formatado,
        "tipo": "PROCESSO",
        "operacao": "ENVIO",
        "ocorrido_em": "2024-05-02T10:00:00-03:00",
        "nivel_acesso": "PUBLICO",
        "unidade_origem": {"codigo": "2300001"},
        "unidade_destino": {"codigo": "2300004"},
    }
    return base | campos


def jsonl(caminho: Path, *linhas: dict[str, Any] | str) -> Path:
    texto = "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in linhas)
    caminho.write_text(texto, encoding="utf-8")
    return caminho


def xml(caminho: Path, operacao: str) -> Path:
    itens = "".join(
        f"""      <ItemHistorico>
        <DataHoraOperacao>2021-03-0{dia}T09:15:00-03:00</DataHoraOperacao>
        <UnidadeOperacao>Protocolo Central/CGRL/SAA/SE/MEC/Ministério da Educação</UnidadeOperacao>
        <Operacao>{texto}</Operacao>
      </ItemHistorico>
"""
        for dia, texto in ((2, "Processo público gerado"), (3, operacao))
    )
    caminho.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<ListaDocumentos>
  <Documento>
    <Protocolo>23037001462202165</Protocolo>
    <Especie>Processo</Especie>
    <Assunto>Pessoal: Aposentadoria</Assunto>
    <Historico>
{itens}    </Historico>
  </Documento>
</ListaDocumentos>
""",
        encoding="utf-8",
    )
    return caminho


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    return settings_factory(carregar_referencia_exemplo=False)


def assert_saida(resultado: Any, *, linhas: list[str], resumo: str | None, status: int) -> None:
    """stderr is exactly `linhas` (one per line, never wrapped), stdout the summary line."""
    assert resultado.stderr.splitlines() == linhas, resultado.stderr
    assert resultado.stdout.splitlines() == ([] if resumo is None else [resumo]), resultado.stdout
    assert resultado.returncode == status


def test_valid_events_are_all_sent_and_the_exit_status_is_zero(settings: Settings, tmp_path: Path) -> None:
    arquivo = jsonl(tmp_path / "eventos.jsonl", evento(1), evento(2), evento(3))

    resultado = run_cli(settings, "publish", str(arquivo))

    assert_saida(resultado, linhas=[], resumo="lidos: 3, enviados: 3, rejeitados: 0", status=0)
    no_topico = ler_eventos(settings.kafka, settings.kafka.topics.eventos)
    assert sorted(valor["id"] for _c, _p, valor in no_topico) == ["cli-1", "cli-2", "cli-3"]


def test_jsonl_a_line_that_is_not_json(settings: Settings, tmp_path: Path) -> None:
    arquivo = jsonl(tmp_path / "eventos.jsonl", evento(1), "{não é json")

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = f"{arquivo}:2: json: JSON inválido na coluna 2: Expecting property name enclosed in double quotes"
    assert_saida(resultado, linhas=[linha], resumo="lidos: 2, enviados: 1, rejeitados: 1", status=1)


def test_jsonl_a_line_that_is_not_an_object(settings: Settings, tmp_path: Path) -> None:
    arquivo = jsonl(tmp_path / "eventos.jsonl", "[1, 2]", evento(1))

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = f"{arquivo}:1: evento: deve ser um objeto JSON"
    assert_saida(resultado, linhas=[linha], resumo="lidos: 2, enviados: 1, rejeitados: 1", status=1)


def test_jsonl_a_missing_required_field(settings: Settings, tmp_path: Path) -> None:
    sem_nup = {k: v for k, v in evento(2).items() if k != "nup"}
    arquivo = jsonl(tmp_path / "eventos.jsonl", evento(1), sem_nup)

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = f"{arquivo}:2: nup: campo obrigatório ausente"
    assert_saida(resultado, linhas=[linha], resumo="lidos: 2, enviados: 1, rejeitados: 1", status=1)


def test_jsonl_a_bad_nup_names_its_check_digits_on_one_line_however_long_the_path(
    settings: Settings, tmp_path: Path
) -> None:
    # Longer than the 200 columns run_cli gives the console: a wrapped line would be two lines here.
    pasta = tmp_path / ("sistema-de-protocolo-do-orgao-" * 6)
    pasta.mkdir()
    arquivo = jsonl(pasta / "eventos.jsonl", evento(1), evento(2, nup="23037.001462/2021-62"))

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = f"{arquivo}:2: nup: dígitos verificadores incorretos: esperados 65, informados 62"
    assert len(linha) > 200
    assert_saida(resultado, linhas=[linha], resumo="lidos: 2, enviados: 1, rejeitados: 1", status=1)


def test_jsonl_a_line_that_is_not_utf8_is_rejected_alone(settings: Settings, tmp_path: Path) -> None:
    arquivo = tmp_path / "eventos.jsonl"
    arquivo.write_bytes(b'{"id": "\xe7\xe3o"}\n' + json.dumps(evento(1)).encode() + b"\n")

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = f"{arquivo}:1: json: o texto não está em UTF-8 (byte 9 da linha)"
    assert_saida(resultado, linhas=[linha], resumo="lidos: 2, enviados: 1, rejeitados: 1", status=1)


def test_csv_a_bad_header_rejects_the_file_at_line_one(settings: Settings, tmp_path: Path) -> None:
    arquivo = tmp_path / "eventos.csv"
    arquivo.write_text(f"{CABECALHO_CSV};situacao\n{LINHA_CSV};ativo\n", encoding="utf-8")

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = f"{arquivo}:1: linha 1 (cabeçalho): situacao: coluna desconhecida"
    assert_saida(resultado, linhas=[linha], resumo="lidos: 1, enviados: 0, rejeitados: 1", status=1)


def test_csv_a_row_of_another_width(settings: Settings, tmp_path: Path) -> None:
    arquivo = tmp_path / "eventos.csv"
    arquivo.write_text(
        f"{CABECALHO_CSV}\n{LINHA_CSV}\nc-2;23000;23037.001462/2021-65;PROCESSO\n", encoding="utf-8"
    )

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = f"{arquivo}:3: linha: a linha tem 4 colunas; o cabeçalho tem 9"
    assert_saida(resultado, linhas=[linha], resumo="lidos: 2, enviados: 1, rejeitados: 1", status=1)


def test_csv_a_bad_date(settings: Settings, tmp_path: Path) -> None:
    data_ruim = LINHA_CSV.replace("c-1", "c-2").replace("2021-03-02T14:40:00-03:00", "31/02/2021 14:40")
    arquivo = tmp_path / "eventos.csv"
    arquivo.write_text(f"{CABECALHO_CSV}\n{LINHA_CSV}\n{data_ruim}\n", encoding="utf-8")

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = (
        f"{arquivo}:3: ocorrido_em: data e hora inválidas '31/02/2021 14:40'; formatos aceitos: "
        "2024-03-05T14:30:00-03:00, 2024-03-05 14:30:00 ou 05/03/2024 14:30:00"
    )
    assert_saida(resultado, linhas=[linha], resumo="lidos: 2, enviados: 1, rejeitados: 1", status=1)


def test_xml_malformed_names_line_and_column(settings: Settings, tmp_path: Path) -> None:
    arquivo = tmp_path / "historico.xml"
    arquivo.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListaDocumentos>\n  <Documento>\n'
        "    <Protocolo>23037001462202165</Protocolo>\n  </Document>\n</ListaDocumentos>\n",
        encoding="utf-8",
    )

    resultado = run_cli(settings, "publish", str(arquivo), "--orgao", "26000")

    linha = (
        f"{arquivo}:5: linha 5, coluna 5: xml: a tag de fechamento não corresponde à de abertura "
        "(linha 5, coluna 5)"
    )
    assert_saida(resultado, linhas=[linha], resumo="lidos: 1, enviados: 0, rejeitados: 1", status=1)


def test_xml_an_unknown_operacao_names_its_documento_and_item(settings: Settings, tmp_path: Path) -> None:
    arquivo = xml(tmp_path / "historico.xml", "Processo levado para passear")

    resultado = run_cli(settings, "publish", str(arquivo), "--orgao", "26000")

    linha = (
        f"{arquivo}:13: Documento 1 (NUP 23037.001462/2021-65), ItemHistorico 2, linha 13: "
        "Operacao: operação não reconhecida: 'Processo levado para passear'"
    )
    assert_saida(resultado, linhas=[linha], resumo="lidos: 2, enviados: 1, rejeitados: 1", status=1)


def test_xml_without_orgao_is_refused_with_status_two(settings: Settings, tmp_path: Path) -> None:
    arquivo = xml(tmp_path / "historico.xml", "Processo recebido na unidade")

    resultado = run_cli(settings, "publish", str(arquivo))

    linha = "erro: o XML do Protocolo Integrado não informa o órgão: indique o código do órgão que publica"
    assert_saida(resultado, linhas=[linha], resumo=None, status=2)


def test_dry_run_validates_counts_valid_ones_and_sends_nothing(settings: Settings, tmp_path: Path) -> None:
    com_erro = jsonl(tmp_path / "com-erro.jsonl", evento(1), evento(2, nup="23037.001462/2021-62"))
    validos = jsonl(tmp_path / "validos.jsonl", evento(3), evento(4))

    rejeitou = run_cli(settings, "publish", "--dry-run", str(com_erro))
    aceitou = run_cli(settings, "publish", "--dry-run", str(validos))

    linha = f"{com_erro}:2: nup: dígitos verificadores incorretos: esperados 65, informados 62"
    assert_saida(rejeitou, linhas=[linha], resumo="lidos: 2, válidos: 1, rejeitados: 1", status=1)
    assert_saida(aceitou, linhas=[], resumo="lidos: 2, válidos: 2, rejeitados: 0", status=0)
    assert ler_eventos(settings.kafka, settings.kafka.topics.eventos) == []


def test_an_unreachable_broker_names_each_event_not_acknowledged(settings: Settings, tmp_path: Path) -> None:
    porta = porta_livre()
    sem_broker = settings.model_copy(
        update={"kafka": settings.kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{porta}"})}
    )
    arquivo = jsonl(tmp_path / "eventos.jsonl", *(evento(n) for n in range(1, 26)), "[]")

    resultado = run_cli(sem_broker, "publish", "--prazo", "1", str(arquivo))

    motivo = "não confirmado pelo broker: sem confirmação do broker em 1 s (Local: Message timed out)"
    possiveis = {f"{arquivo}:{n}: {motivo}" for n in range(1, 26)}
    linhas = resultado.stderr.splitlines()
    assert linhas[0] == f"{arquivo}:26: evento: deve ser um objeto JSON"
    nomeados = linhas[1:21]
    assert len(set(nomeados)) == 20 and set(nomeados) <= possiveis, nomeados
    assert linhas[21] == "e mais 5 eventos não confirmados pelo broker"
    endereco = f"127.0.0.1:{porta}"
    conexao = f"último erro de conexão com o broker: {endereco}/bootstrap: Connect to ipv4#{endereco} "
    assert linhas[22].startswith(conexao) and "Connection refused" in linhas[22]
    assert len(linhas) == 23, linhas
    assert resultado.stdout.splitlines() == ["lidos: 26, enviados: 0, rejeitados: 1, não confirmados: 25"]
    assert resultado.returncode == 1
