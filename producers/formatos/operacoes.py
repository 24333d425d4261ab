"""Free-text operations of protocol systems, mapped to the contract's Operacao. Pure.

Protocolo Integrado's XML carries each movement as text (`Operacao`). This module knows SEI's andamentos
(the texts of its `tarefa` table after placeholder substitution, in particular the 25 tarefas that
mod-sei-protocolo-integrado publishes by default) and the generic phrasings of other systems (SIPAC and
the like: "Processo enviado para …", "Recebimento", "Arquivamento"…). Case, accents, HTML tags and
repeated spaces are ignored. A text no rule recognises raises OperacaoDesconhecida quoting it: never
guessed.

Units. An andamento is recorded at one unit (`UnidadeOperacao`); `Andamento.papel` says whether that unit is
the origem or the destino, and `outra_unidade` is the other unit the text names, if any. SEI records
"Processo remetido pela unidade X" at the unit that *received* the processo, when it was sent: X is the
sender, so the recording unit is the destino and X the origem. "Processo enviado para X" (generic) is
recorded at the sender: the recording unit is the origem and X the destino.

Relationships, from the processo the text is recorded in (ANEXACAO on X with P: X was anexado to P):

    Anexado ao processo P (SEI 102)               ANEXACAO, P
    Processo N anexado (101, in the principal)    RELACIONAMENTO, N  (the principal itself is not anexado)
    Desanexado do processo P (104)                DESANEXACAO, P
    Sobrestado com vínculo ao processo P (43)     SOBRESTAMENTO, P
    Deixou de estar sobrestado ao processo P (45) REMOCAO_SOBRESTAMENTO, P
    Sobrestando o processo N (42, N waits here)   RELACIONAMENTO, N  (this processo is not sobrestado)
    Removido relacionamento… (19), Processo N desanexado (103), Deixou de sobrestar… (44):
        no equivalent operation in the contract, so OperacaoDesconhecida says so.
"""

from __future__ import annotations

__all__ = ["Andamento", "Papel", "mapear_operacao"]

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from producers.formatos.exceptions import OperacaoDesconhecida
from protocolo.model import NivelAcesso, Operacao


class Papel(StrEnum):
    """The role of the unit an andamento is recorded at."""

    ORIGEM = "ORIGEM"
    DESTINO = "DESTINO"


@dataclass(frozen=True)
class Andamento:
    """What a free-text operation says: the operation and what the text names besides it."""

    operacao: Operacao
    papel: Papel = Papel.ORIGEM
    outra_unidade: str | None = None  # plays the role opposite to `papel`
    nup_relacionado: str | None = None  # as written; the contract parses it
    nivel_acesso: NivelAcesso | None = None  # the access level the text states


_NUP = r"(?P<nup>\d(?:[\d./-]*\d)?(?:-?dv)?)"
_NIVEL = r"(?P<nivel>publico|restrito|sigiloso)"
_UNIDADE = r"(?P<unidade>.+?)\.?"
_DO = r"(?: d[eo] processo)?"
_PARA = rf"(?: para(?: a)?(?: unidade)? {_UNIDADE})?"
_VALIDO = r"(?!.*\(cancelad)"  # SEI appends "(cancelado por … em …)" to a send that was undone
# What may follow a recognised phrase: a motivo after punctuation, or a place/agent ("em", "na", "pelo").
_RESTO = r"(?:[.,;:]\s*.*| (?:em|no|na|pel[oa]|para|ao) .*| \(.*)?"

_O, _D = Papel.ORIGEM, Papel.DESTINO
_OP = Operacao
_CONCLUSAO = rf"conclusao(?: automatica)?{_DO}(?: na unidade| d[oe] usuario .*| pelo usuario .*)?\.?"
_RELACIONADO = rf"(?:relacionamento (?:com|ao) (?:o )?|(?:processo )?relacionado ao )processo {_NUP}{_RESTO}"
_ACESSO = rf"(?:alterad[oa] (?:o )?|alteracao d[eo] )nivel de acesso(?: geral| global|{_DO})?"
_REGRAS: tuple[tuple[str, Operacao | str, Papel], ...] = (
    (rf"processo(?: {_NIVEL})?(?: \([^)]*\))? gerado\b.*", _OP.AUTUACAO, _O),
    (rf"(?:autuacao|abertura|cadastro|geracao){_DO}{_RESTO}", _OP.AUTUACAO, _O),
    (rf"processo (?:autuado|aberto|cadastrado|criado){_RESTO}", _OP.AUTUACAO, _O),
    (rf"processo remetido pela unidade {_UNIDADE}", _OP.ENVIO, _D),
    (rf"{_VALIDO}processo enviado para (?P<unidade>.+?) por .*", _OP.ENVIO, _O),
    (rf"{_VALIDO}(?:envio|remessa|encaminhamento){_DO}{_PARA}", _OP.ENVIO, _O),
    (rf"{_VALIDO}processo (?:enviado|remetido|encaminhado){_PARA}", _OP.ENVIO, _O),
    (rf"processo recebido (?:da unidade|de) {_UNIDADE}", _OP.RECEBIMENTO, _D),
    (rf"(?:processo recebido|recebimento{_DO}|recebido)(?: (?:na|pela) unidade.*)?\.?", _OP.RECEBIMENTO, _D),
    (_CONCLUSAO, _OP.CONCLUSAO, _O),
    (r"processo concluido(?: na unidade| pelo usuario .*)?\.?", _OP.CONCLUSAO, _O),
    (rf"(?:reabertura{_DO}|processo reaberto)(?: na unidade)?\.?", _OP.REABERTURA, _O),
    (rf"(?:arquivamento{_DO}|processo arquivado){_RESTO}", _OP.ARQUIVAMENTO, _O),
    (rf"(?:desarquivamento{_DO}|processo desarquivado){_RESTO}", _OP.DESARQUIVAMENTO, _O),
    (rf"sobrestado com vinculo ao processo {_NUP}{_RESTO}", _OP.SOBRESTAMENTO, _O),
    (rf"(?:sobrestamento{_DO}|(?:processo )?sobrestado|sobrestando processo){_RESTO}", _OP.SOBRESTAMENTO, _O),
    (rf"deixou de estar sobrestado ao processo {_NUP}{_RESTO}", _OP.REMOCAO_SOBRESTAMENTO, _O),
    (rf"(?:(?:remocao|retirada) d[eo]|removido(?: o)?) sobrestamento{_RESTO}", _OP.REMOCAO_SOBRESTAMENTO, _O),
    (rf"(?:anexad[oa]|processo anexado|anexacao) ao processo {_NUP}{_RESTO}", _OP.ANEXACAO, _O),
    (rf"(?:desanexad[oa]|desanexacao) do processo {_NUP}{_RESTO}", _OP.DESANEXACAO, _O),
    (rf"processo {_NUP} anexado{_RESTO}", _OP.RELACIONAMENTO, _O),
    (rf"sobrestando o processo {_NUP}{_RESTO}", _OP.RELACIONAMENTO, _O),
    (rf"adicionado processo relacionado {_NUP}{_RESTO}", _OP.RELACIONAMENTO, _O),
    (_RELACIONADO, _OP.RELACIONAMENTO, _O),
    (rf"documento {_NUP} juntado\b.*", _OP.JUNTADA, _O),
    (rf"juntad[oa] (?:o )?documento {_NUP}\b.*", _OP.JUNTADA, _O),
    (rf"juntada(?: d[eo] documento)?(?: {_NUP})?{_RESTO}", _OP.JUNTADA, _O),
    (rf"(?:ciencia(?: no processo(?: anexado .*)?| no documento .*|{_DO})|ciente){_RESTO}", _OP.CIENCIA, _O),
    (rf"(?:tomada|registro) de ciencia{_RESTO}", _OP.CIENCIA, _O),
    (rf"{_ACESSO} para {_NIVEL}\b.*", _OP.ALTERACAO_NIVEL_ACESSO, _O),
    (rf"{_ACESSO}{_RESTO}", _OP.ALTERACAO_NIVEL_ACESSO, _O),
    (r"(?:alterado grau de sigilo|alterada hipotese legal) do processo .*", _OP.ALTERACAO_NIVEL_ACESSO, _O),
    (r"removido relacionamento com o processo .*", "remoção de relacionamento entre processos", _O),
    (rf"processo {_NUP} desanexado{_RESTO}", "desanexação registrada no processo principal", _O),
    (r"deixou de sobrestar o processo .*", "fim de sobrestamento registrado no processo vinculante", _O),
)
_COMPILADAS = tuple((re.compile(padrao, re.DOTALL), alvo, papel) for padrao, alvo, papel in _REGRAS)
_TAG = re.compile(r"<[^>]*>")


def _unaccent_lower(texto: str) -> str:
    """Lower case without accents, one character for one, so positions still point into `texto`."""
    if texto.isascii():
        return texto.lower()
    return "".join(_unaccent_lower_char(c) for c in texto)


@lru_cache(maxsize=1024)
def _unaccent_lower_char(c: str) -> str:
    base = unicodedata.normalize("NFD", c)[0].lower()
    return base if len(base) == 1 else c


def _curto(texto: str) -> str:
    return texto if len(texto) <= 200 else texto[:199] + "…"


@lru_cache(maxsize=4096)  # files repeat the same few texts many times
def mapear_operacao(texto: str) -> Andamento:
    """The Andamento a free-text operation describes; OperacaoDesconhecida when it names none."""
    limpo = " ".join(_TAG.sub(" ", texto).split())
    normalizado = _unaccent_lower(limpo)
    for regra, alvo, papel in _COMPILADAS:
        achado = regra.fullmatch(normalizado)
        if achado is None:
            continue
        if not isinstance(alvo, Operacao):
            motivo = f"'{_curto(limpo)}' não tem operação equivalente no contrato ({alvo})"
            raise OperacaoDesconhecida(motivo)
        grupos = {nome: limpo[slice(*achado.span(nome))] for nome, v in achado.groupdict().items() if v}
        nivel = grupos.get("nivel")
        return Andamento(
            operacao=alvo,
            papel=papel,
            outra_unidade=grupos.get("unidade"),
            nup_relacionado=grupos.get("nup"),
            nivel_acesso=NivelAcesso(_unaccent_lower(nivel).upper()) if nivel else None,
        )
    raise OperacaoDesconhecida(f"operação não reconhecida: '{_curto(limpo)}'")
