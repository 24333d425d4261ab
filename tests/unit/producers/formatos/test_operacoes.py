"""Specification of free-text operations (producers.formatos.operacoes): SEI andamentos, generic texts."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from producers.formatos.exceptions import OperacaoDesconhecida
from producers.formatos.operacoes import Andamento, Papel, mapear_operacao
from protocolo.model import NivelAcesso, Operacao

NUP = "23037.001462/2021-65"
ORIGEM, DESTINO = Papel.ORIGEM, Papel.DESTINO

# SEI's tarefa texts after placeholder substitution (the ones mod-sei-protocolo-integrado publishes by default
# first), then the generic phrasings other systems use.
CASOS: list[tuple[str, Andamento]] = [
    ("Processo público gerado", Andamento(Operacao.AUTUACAO, nivel_acesso=NivelAcesso.PUBLICO)),
    (
        "Processo Público gerado (autuado em 02/03/2021)",
        Andamento(Operacao.AUTUACAO, nivel_acesso=NivelAcesso.PUBLICO),
    ),
    (
        "Processo restrito gerado, Informação Pessoal (Art. 31 da Lei nº 12.527/2011)",
        Andamento(Operacao.AUTUACAO, nivel_acesso=NivelAcesso.RESTRITO),
    ),
    ("Processo sigiloso (reservado) gerado", Andamento(Operacao.AUTUACAO, nivel_acesso=NivelAcesso.SIGILOSO)),
    ("Processo gerado", Andamento(Operacao.AUTUACAO)),
    ("Autuação", Andamento(Operacao.AUTUACAO)),
    ("Processo cadastrado", Andamento(Operacao.AUTUACAO)),
    ("Processo remetido pela unidade SAA/CGRL", Andamento(Operacao.ENVIO, DESTINO, outra_unidade="SAA/CGRL")),
    (
        "Processo remetido pela unidade MEC-PROT.",
        Andamento(Operacao.ENVIO, DESTINO, outra_unidade="MEC-PROT"),
    ),
    ("Processo enviado para a unidade CGGP", Andamento(Operacao.ENVIO, ORIGEM, outra_unidade="CGGP")),
    ("Envio do processo", Andamento(Operacao.ENVIO, ORIGEM)),
    (
        "Processo enviado para Ministério da Saúde por Ministério da Educação",
        Andamento(Operacao.ENVIO, ORIGEM, outra_unidade="Ministério da Saúde"),
    ),
    ("Processo recebido na unidade", Andamento(Operacao.RECEBIMENTO, DESTINO)),
    ("Processo recebido", Andamento(Operacao.RECEBIMENTO, DESTINO)),
    ("Recebimento", Andamento(Operacao.RECEBIMENTO, DESTINO)),
    ("Processo recebido da unidade PROT", Andamento(Operacao.RECEBIMENTO, DESTINO, outra_unidade="PROT")),
    ("Conclusão do processo na unidade", Andamento(Operacao.CONCLUSAO)),
    ("Conclusão automática de processo na unidade", Andamento(Operacao.CONCLUSAO)),
    ("Processo concluído", Andamento(Operacao.CONCLUSAO)),
    ("Processo concluído na unidade", Andamento(Operacao.CONCLUSAO)),
    ("Reabertura do processo na unidade", Andamento(Operacao.REABERTURA)),
    ("Reabertura do processo", Andamento(Operacao.REABERTURA)),
    ("Arquivamento", Andamento(Operacao.ARQUIVAMENTO)),
    ("Processo arquivado no Arquivo Central", Andamento(Operacao.ARQUIVAMENTO)),
    ("Desarquivamento do processo", Andamento(Operacao.DESARQUIVAMENTO)),
    ("Processo desarquivado", Andamento(Operacao.DESARQUIVAMENTO)),
    ("Sobrestamento. Aguardando parecer da Procuradoria", Andamento(Operacao.SOBRESTAMENTO)),
    ("Sobrestando processo", Andamento(Operacao.SOBRESTAMENTO)),
    (
        f"Sobrestado com vínculo ao processo {NUP}. Aguardando decisão",
        Andamento(Operacao.SOBRESTAMENTO, nup_relacionado=NUP),
    ),
    ("Remoção de sobrestamento", Andamento(Operacao.REMOCAO_SOBRESTAMENTO)),
    ("Removido sobrestamento", Andamento(Operacao.REMOCAO_SOBRESTAMENTO)),
    (
        f"Deixou de estar sobrestado ao processo {NUP}",
        Andamento(Operacao.REMOCAO_SOBRESTAMENTO, nup_relacionado=NUP),
    ),
    (f"Anexado ao processo {NUP}", Andamento(Operacao.ANEXACAO, nup_relacionado=NUP)),
    (f"Anexado ao processo {NUP}.", Andamento(Operacao.ANEXACAO, nup_relacionado=NUP)),
    (
        f"Desanexado do processo {NUP}. Anexado por engano",
        Andamento(Operacao.DESANEXACAO, nup_relacionado=NUP),
    ),
    # Recorded in the principal: the principal is not anexado, it gains a related processo.
    (f"Processo {NUP} anexado", Andamento(Operacao.RELACIONAMENTO, nup_relacionado=NUP)),
    # Recorded in the processo the other one waits for: this one is not sobrestado.
    (f"Sobrestando o processo {NUP}. Aguardando", Andamento(Operacao.RELACIONAMENTO, nup_relacionado=NUP)),
    (f"Adicionado processo relacionado {NUP}", Andamento(Operacao.RELACIONAMENTO, nup_relacionado=NUP)),
    (f"Relacionamento com o processo {NUP}", Andamento(Operacao.RELACIONAMENTO, nup_relacionado=NUP)),
    (f"Documento {NUP} juntado ao processo", Andamento(Operacao.JUNTADA, nup_relacionado=NUP)),
    (f"Juntada do documento {NUP}", Andamento(Operacao.JUNTADA, nup_relacionado=NUP)),
    ("Juntada", Andamento(Operacao.JUNTADA)),
    ("Ciência no processo", Andamento(Operacao.CIENCIA)),
    ("Ciência no documento 0123456", Andamento(Operacao.CIENCIA)),
    (f"Ciência no processo anexado {NUP}", Andamento(Operacao.CIENCIA)),
    (
        "Alterado nível de acesso geral para Restrito",
        Andamento(Operacao.ALTERACAO_NIVEL_ACESSO, nivel_acesso=NivelAcesso.RESTRITO),
    ),
    (
        "Alterado nível de acesso do processo para Público",
        Andamento(Operacao.ALTERACAO_NIVEL_ACESSO, nivel_acesso=NivelAcesso.PUBLICO),
    ),
    ("Alterado nível de acesso", Andamento(Operacao.ALTERACAO_NIVEL_ACESSO)),
    (
        "Alterada hipótese legal do processo para Informação Pessoal",
        Andamento(Operacao.ALTERACAO_NIVEL_ACESSO),
    ),
    ("Alterado grau de sigilo do processo para secreto", Andamento(Operacao.ALTERACAO_NIVEL_ACESSO)),
]


@pytest.mark.parametrize(("texto", "esperado"), CASOS, ids=[c[0][:40] for c in CASOS])
def test_known_texts_map_to_their_operation(texto: str, esperado: Andamento) -> None:
    assert mapear_operacao(texto) == esperado


def _sem_acentos(texto: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", texto) if not unicodedata.combining(c))


@given(st.sampled_from(CASOS), st.randoms(use_true_random=False), st.booleans())
def test_case_accents_and_spacing_do_not_matter(
    caso: tuple[str, Andamento], rng: random.Random, acentos: bool
) -> None:
    texto, esperado = caso
    variante = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in texto)
    variante = "  " + variante.replace(" ", "   ") + " "
    if not acentos:
        variante = _sem_acentos(variante)
    resultado = mapear_operacao(variante)
    assert resultado.operacao is esperado.operacao
    assert resultado.papel is esperado.papel
    assert resultado.nivel_acesso is esperado.nivel_acesso
    assert (resultado.nup_relacionado is None) == (esperado.nup_relacionado is None)


def test_extracted_parts_keep_the_original_spelling() -> None:
    andamento = mapear_operacao("processo remetido pela unidade Coordenação de Licitações")
    assert andamento.outra_unidade == "Coordenação de Licitações"


def test_html_links_around_the_nup_are_ignored() -> None:
    texto = f'Anexado ao processo <a href="controlador.php?acao=procedimento_trabalhar">{NUP}</a>'
    assert mapear_operacao(texto) == Andamento(Operacao.ANEXACAO, nup_relacionado=NUP)


@pytest.mark.parametrize(
    "texto",
    [
        "Assinado Documento 0123456 por fulano",  # SEI tarefa 5: not a movement of the processo
        "Arquivado documento 0123456 no localizador CX-12",  # physical archive of one document
        "Alterado nível de acesso do documento 0123456 para Restrito",  # a document's level
        "Cancelado envio para Ministério X por Ministério Y",
        "Processo enviado para Ministério X por Ministério Y (cancelado por fulano em 01/02/2021)",
        "Despacho da chefia",  # SEI's free 'Atualização de Andamento' text
        "",
    ],
)
def test_unknown_texts_are_never_guessed(texto: str) -> None:
    with pytest.raises(OperacaoDesconhecida, match="operação não reconhecida") as erro:
        mapear_operacao(texto)
    assert f"'{texto.strip()}'" in str(erro.value)


@pytest.mark.parametrize(
    ("texto", "motivo"),
    [
        (f"Removido relacionamento com o processo {NUP}", "remoção de relacionamento"),
        (f"Processo {NUP} desanexado. Anexado por engano", "desanexação registrada no processo principal"),
        (f"Deixou de sobrestar o processo {NUP}", "fim de sobrestamento"),
    ],
)
def test_texts_without_an_equivalent_operation_say_so(texto: str, motivo: str) -> None:
    with pytest.raises(OperacaoDesconhecida, match="não tem operação equivalente") as erro:
        mapear_operacao(texto)
    assert texto in str(erro.value) and motivo in str(erro.value)


def test_long_unknown_texts_are_quoted_shortened() -> None:
    with pytest.raises(OperacaoDesconhecida) as erro:
        mapear_operacao("x" * 500)
    assert len(str(erro.value)) < 260
