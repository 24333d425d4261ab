"""`protocolo audit`: the tamper-evident archive of raw events, its verification and its proofs."""

from __future__ import annotations

__all__ = ["audit_app"]

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.commands._base import app, barra_de_progresso, console, erros
from protocolo.errors import ArchiveError, InvalidNote, InvalidNup
from protocolo.settings import Settings

if TYPE_CHECKING:
    from archiver.nota import Verificador

audit_app = typer.Typer(help="Arquivo de auditoria: eventos brutos num log assinado, à prova de adulteração.")
app.add_typer(audit_app, name="audit", no_args_is_help=True)

PastaOpcao = Annotated[
    Path | None, typer.Option("--pasta", help="Pasta do arquivo (padrão: PROTOCOLO_ARQUIVO_PASTA)")
]
ChaveOpcao = Annotated[
    str | None,
    typer.Option(
        "--chave",
        help="Chave pública do arquivo (texto <nome>+<id>+<chave> ou arquivo que o contém); "
        "padrão: derivada da chave de assinatura configurada",
    ),
]


def _falhar(mensagem: str, status: int = 1) -> typer.Exit:
    erros.print(f"[red]erro:[/] {mensagem}", highlight=False)
    return typer.Exit(status)


def _verificador(settings: Settings, chave: str | None) -> Verificador:
    """The public key to check against: given (text or file), else the configured signer's."""
    from archiver.chave import ler_chave
    from archiver.nota import Verificador

    try:
        if chave is None:
            return ler_chave(settings.chave_arquivo()).verificador
        texto = Path(chave).read_text(encoding="utf-8") if Path(chave).is_file() else chave
        return Verificador.ler(texto)
    except (ArchiveError, InvalidNote) as exc:
        raise _falhar(f"--chave: {exc}", 2) from exc


def _pasta(settings: Settings, pasta: Path | None) -> Path:
    escolhida = pasta or settings.pasta_arquivo()
    if not (escolhida / "segmentos").is_dir():
        raise _falhar(f"{escolhida}: não é uma pasta de arquivo (falta segmentos/)", 2)
    return escolhida


@audit_app.command("archive")
def audit_archive() -> None:
    """Roda o arquivador em primeiro plano (o mesmo serviço que `protocolo up` inicia)."""
    from archiver.__main__ import main

    main()


@audit_app.command("key")
def audit_key(
    gerar: Annotated[
        bool, typer.Option("--gerar", help="Cria a chave de assinatura se ainda não existir")
    ] = False,
) -> None:
    """Mostra a chave pública que verifica os checkpoints (entregue-a aos auditores)."""
    from archiver.chave import garantir_chave, ler_chave

    settings = Settings()
    caminho = settings.chave_arquivo()
    try:
        assinante = garantir_chave(caminho, nome=settings.arquivo.origem) if gerar else ler_chave(caminho)
    except (ArchiveError, InvalidNote) as exc:
        raise _falhar(f"{exc} (crie-a com `protocolo audit key --gerar`)") from exc
    console.print(assinante.verificador.texto(), highlight=False, soft_wrap=True)


@audit_app.command("verify")
def audit_verify(
    pasta: Annotated[Path, typer.Argument(help="Pasta do arquivo")],
    chave: ChaveOpcao = None,
) -> None:
    """Verifica o arquivo inteiro: segmentos, ordem, encadeamento, raízes e assinaturas dos checkpoints."""
    from archiver.pasta import listar_segmentos
    from archiver.verificacao import verificar_arquivo

    settings = Settings()
    pasta = _pasta(settings, pasta)
    verificador = _verificador(settings, chave)
    total = sum(c.stat().st_size for _, c in listar_segmentos(pasta)[0])
    with barra_de_progresso(em_bytes=True) as barra:
        tarefa = barra.add_task("verificando", total=total, eventos=0)
        relatorio = verificar_arquivo(
            pasta, verificador, avancar=lambda b, e: barra.update(tarefa, advance=b, eventos=e)
        )
    for aviso in relatorio.avisos:
        console.print(f"[yellow]aviso:[/] {aviso}", highlight=False)
    for falha in relatorio.falhas:
        console.print(f"[red]falha:[/] {falha}", highlight=False)
    ultimo = "—" if relatorio.ultimo_checkpoint is None else relatorio.ultimo_checkpoint
    resumo = (
        f"{relatorio.eventos} eventos em {relatorio.segmentos} segmentos, "
        f"{relatorio.checkpoints} checkpoints válidos (último: {ultimo})"
    )
    if not relatorio.ok:
        falhas = len(relatorio.falhas)
        console.print(f"[red]arquivo adulterado ou incompleto:[/] {falhas} falhas; {resumo}", highlight=False)
        raise typer.Exit(1)
    console.print(f"[green]arquivo íntegro:[/] {resumo}", highlight=False)


@audit_app.command("proof")
def audit_proof(
    nup: Annotated[str | None, typer.Argument(help="NUP do processo (qualquer formato aceito)")] = None,
    pasta: PastaOpcao = None,
    chave: ChaveOpcao = None,
    saida: Annotated[Path | None, typer.Option("--saida", help="Grava as provas neste arquivo JSON")] = None,
    verificar: Annotated[
        Path | None, typer.Option("--verificar", help="Verifica um arquivo de provas em vez de gerar")
    ] = None,
) -> None:
    """Provas de inclusão (RFC 6962) dos eventos de um processo no último checkpoint assinado."""
    from archiver.merkle import hash_folha
    from archiver.provas import checkpoint_assinado, json_de_prova, ler_folhas, provar_inclusao
    from protocolo.nup import parse_nup

    settings = Settings()
    verificador = _verificador(settings, chave)
    if verificar is not None:
        _verificar_prova(verificar, verificador)
        return
    if nup is None:
        raise _falhar("informe o NUP, ou --verificar ARQUIVO", 2)
    try:
        digitos = parse_nup(nup).digitos.encode()
    except InvalidNup as exc:
        raise _falhar(f"NUP inválido: {exc}", 2) from exc
    pasta = _pasta(settings, pasta)
    try:
        nota, checkpoint = checkpoint_assinado(pasta, verificador)
        with console.status("lendo o arquivo…"):
            folhas, escolhidos = ler_folhas(pasta, escolher=lambda e: e.chave == digitos)
        provas, fora = provar_inclusao(folhas, escolhidos, checkpoint)
    except (ArchiveError, InvalidNote) as exc:
        raise _falhar(str(exc)) from exc
    if not escolhidos:
        raise _falhar(f"nenhum evento do processo {nup} no arquivo")
    console.print(
        f"checkpoint: {checkpoint.origem}, {checkpoint.tamanho} eventos, raiz {checkpoint.raiz.hex()}"
    )
    for prova in provas:
        e = prova.evento
        console.print(
            f"evento {e.indice} (partição {e.particao}, offset {e.offset}): "
            f"hash da folha {hash_folha(prova.folha).hex()}, caminho de {len(prova.caminho)} hashes:",
            highlight=False,
        )
        for h in prova.caminho:
            console.print(f"  {h.hex()}", highlight=False)
    for e in fora:
        console.print(
            f"[yellow]evento {e.indice}: ainda não coberto pelo último checkpoint[/]", highlight=False
        )
    texto = json_de_prova(nota, provas)
    if saida is not None:
        saida.write_text(texto, encoding="utf-8")
        console.print(f"provas gravadas em {saida}", highlight=False)
    _verificar_texto(json.loads(texto), verificador, f"{len(provas)} provas")


def _verificar_prova(arquivo: Path, verificador: Verificador) -> None:
    try:
        dados = json.loads(arquivo.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _falhar(f"{arquivo}: {exc}", 2) from exc
    _verificar_texto(dados, verificador, f"{arquivo}: {len(dados.get('provas', []))} provas")


def _verificar_texto(dados: dict[str, object], verificador: Verificador, o_que: str) -> None:
    from archiver.provas import verificar_arquivo_de_prova

    problemas = verificar_arquivo_de_prova(dados, verificador)
    for problema in problemas:
        erros.print(f"[red]falha:[/] {problema}", highlight=False)
    if problemas:
        raise typer.Exit(1)
    console.print(f"[green]verificado:[/] {o_que} conferem com o checkpoint assinado", highlight=False)


@audit_app.command("consistency")
def audit_consistency(
    de: Annotated[
        int | None, typer.Option("--de", help="Tamanho do checkpoint antigo (padrão: o penúltimo)")
    ] = None,
    para: Annotated[
        int | None, typer.Option("--para", help="Tamanho do checkpoint novo (padrão: o último)")
    ] = None,
    pasta: PastaOpcao = None,
    chave: ChaveOpcao = None,
) -> None:
    """Prova (RFC 6962) que um checkpoint posterior estende o anterior: o arquivo só cresce."""
    from archiver.pasta import listar_checkpoints
    from archiver.provas import checkpoint_assinado, ler_folhas, provar_consistencia

    settings = Settings()
    verificador = _verificador(settings, chave)
    pasta = _pasta(settings, pasta)
    tamanhos = [t for t, _ in listar_checkpoints(pasta)]
    if de is None:
        if len(tamanhos) < 2:
            raise _falhar("são precisos dois checkpoints (ou --de)", 2)
        de = tamanhos[-2] if para is None else max((t for t in tamanhos if t < para), default=tamanhos[0])
    if para is not None and para < de:
        raise _falhar(f"--para ({para}) é menor que --de ({de})", 2)
    try:
        _nota_antiga, antigo = checkpoint_assinado(pasta, verificador, de)
        _nota_nova, novo = checkpoint_assinado(pasta, verificador, para)
        with console.status("lendo o arquivo…"):
            folhas, _ = ler_folhas(pasta)
        prova = provar_consistencia(folhas, antigo, novo)
    except (ArchiveError, InvalidNote) as exc:
        raise _falhar(str(exc)) from exc
    console.print(f"de:   {antigo.tamanho} eventos, raiz {antigo.raiz.hex()}", highlight=False)
    console.print(f"para: {novo.tamanho} eventos, raiz {novo.raiz.hex()}", highlight=False)
    console.print(f"prova de consistência ({len(prova.prova)} hashes):", highlight=False)
    for h in prova.prova:
        console.print(f"  {h.hex()}", highlight=False)
    if not prova.confere():
        raise _falhar("a prova não confere: o checkpoint novo não estende o antigo")
    console.print(
        f"[green]verificado:[/] o checkpoint de {novo.tamanho} estende o de {antigo.tamanho}", highlight=False
    )
