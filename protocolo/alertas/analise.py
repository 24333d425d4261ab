"""The index's text analysis, in pure Python: the `portuguese` analyzer and the `folded` sub-field.

The same rules as indexer/mappings.py, so that a saved search and the search API agree:

- tokenizer: Unicode word boundaries (UAX #29, Lucene's StandardTokenizer) for the scripts our
  texts use: letters and digits join; `.` `'` `:` join two letters; `.` `,` `;` `'` join two digits;
  `_` joins anything; every other character separates;
- `portuguese` (stemmed field): lowercase, Portuguese stop words (Snowball's list), then
  PortugueseLightStemFilter (Savoy's UniNE light stemmer, which also strips accents of stems of 4+
  letters);
- `folded` (the `.folded` sub-field): lowercase, ASCII folding, then the same stop words (so a
  folded "nao" is no stop word while "não" is, and "é" becomes the stop word "e").

Stop words leave a gap in positions, as in Lucene (phrases count them). The reference is the
local search server's `_analyze` (tests/integration/protocolo/alertas compare them); divergences
from Lucene's analyzers found there are listed in docs/alertas.md.
"""

from __future__ import annotations

__all__ = [
    "ELASTICSEARCH",
    "LOCAL",
    "PARADA",
    "Regras",
    "analisar_folded",
    "analisar_portugues",
    "dobrar_acentos",
    "radical",
    "tokenizar",
]

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Snowball's Portuguese stop words (Lucene's portuguese_stop.txt, `_portuguese_` in Elasticsearch).
PARADA = frozenset(
    """
    de a o que e do da em um para com não uma os no se na por mais as dos como mas ao ele das à seu
    sua ou quando muito nos já eu também só pelo pela até isso ela entre depois sem mesmo aos seus
    quem nas me esse eles você essa num nem suas meu às minha numa pelos elas qual nós lhe deles
    essas esses pelas este dele tu te vocês vos lhes meus minhas teu tua teus tuas nosso nossa
    nossos nossas dela delas esta estes estas aquele aquela aqueles aquelas isto aquilo estou está
    estamos estão estive esteve estivemos estiveram estava estávamos estavam estivera estivéramos
    esteja estejamos estejam estivesse estivéssemos estivessem estiver estivermos estiverem hei há
    havemos hão houve houvemos houveram houvera houvéramos haja hajamos hajam houvesse houvéssemos
    houvessem houver houvermos houverem houverei houverá houveremos houverão houveria houveríamos
    houveriam sou somos são era éramos eram fui foi fomos foram fora fôramos seja sejamos sejam
    fosse fôssemos fossem for formos forem serei será seremos serão seria seríamos seriam tenho tem
    temos tém tinha tínhamos tinham tive teve tivemos tiveram tivera tivéramos tenha tenhamos tenham
    tivesse tivéssemos tivessem tiver tivermos tiverem terei terá teremos terão teria teríamos teriam
    """.split()
)

_LETRA, _DIGITO, _LIGA, _MEIO_LETRA, _MEIO_NUM, _MEIO_AMBOS, _OUTRO = range(7)
_MEIO_LETRA_CHARS = frozenset(":\u00b7\u0387\u05f4\u2027\ufe13\ufe55\uff1a")
_MEIO_NUM_CHARS = frozenset(
    ",;\u037e\u0589\u060c\u060d\u066c\u07f8\u2044\ufe10\ufe14\ufe50\ufe54\uff0c\uff1b"
)
_MEIO_AMBOS_CHARS = frozenset(".'\u2018\u2019\u2024\ufe52\uff07\uff0e")
_LIGA_CHARS = frozenset("_\u202f\u203f\u2040\u2054\ufe33\ufe34\ufe4d\ufe4e\ufe4f\uff3f")
_ESPECIAIS = {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_ACENTO_RADICAL = str.maketrans("àáâäãòóôöõèéêëùúûüìíîïç", "aaaaaoooooeeeeuuuuiiiic")
MAX_TOKEN = 255


def _classe(c: str) -> int:
    if c in _MEIO_AMBOS_CHARS:
        return _MEIO_AMBOS
    if c in _MEIO_LETRA_CHARS:
        return _MEIO_LETRA
    if c in _MEIO_NUM_CHARS:
        return _MEIO_NUM
    if c in _LIGA_CHARS:
        return _LIGA
    if unicodedata.category(c) == "Nd":
        return _DIGITO
    if c.isalpha() or unicodedata.category(c).startswith("M"):
        return _LETRA
    return _OUTRO


def tokenizar(texto: str) -> list[str]:
    """Words of `texto` by Unicode word boundaries (see the module docstring), in order."""
    tokens: list[str] = []
    n, i = len(texto), 0
    while i < n:
        classe = _classe(texto[i])
        if classe not in (_LETRA, _DIGITO, _LIGA):
            i += 1
            continue
        inicio, anterior, i = i, classe, i + 1
        while i < n:
            classe = _classe(texto[i])
            if classe in (_LETRA, _DIGITO, _LIGA):
                anterior, i = classe, i + 1
                continue
            if i + 1 < n and classe in (_MEIO_LETRA, _MEIO_NUM, _MEIO_AMBOS):
                seguinte = _classe(texto[i + 1])
                if anterior == seguinte == _LETRA and classe in (_MEIO_LETRA, _MEIO_AMBOS):
                    i += 2
                    continue
                if anterior == seguinte == _DIGITO and classe in (_MEIO_NUM, _MEIO_AMBOS):
                    i += 2
                    continue
            break
        token = texto[inicio:i]
        if any(c.isalnum() for c in token):
            tokens.append(token[:MAX_TOKEN])
    return tokens


@lru_cache(maxsize=65_536)
def dobrar_acentos(termo: str, *, ordinais: bool = True) -> str:
    """ASCII folding of a lowercase term: no accents nor ligatures (ASCIIFoldingFilter, Latin).

    `ordinais`: the ordinal indicators º and ª fold to o and a, as in Lucene."""
    termo = "".join(_ESPECIAIS.get(c, c) for c in termo)
    if not ordinais:
        termo = termo.replace("º", "\0").replace("ª", "\1")
    decomposto = "".join(c for c in unicodedata.normalize("NFKD", termo) if not unicodedata.combining(c))
    return decomposto if ordinais else decomposto.replace("\0", "º").replace("\1", "ª")


def _termina(s: list[str], n: int, sufixo: str) -> bool:
    return n >= len(sufixo) and "".join(s[n - len(sufixo) : n]) == sufixo


def _remover_sufixo(s: list[str], n: int) -> int:
    if n > 4 and _termina(s, n, "es") and s[n - 3] in "rslz":
        return n - 2
    if n > 3 and _termina(s, n, "ns"):
        s[n - 2] = "m"
        return n - 1
    if n > 4 and (_termina(s, n, "eis") or _termina(s, n, "éis")):
        s[n - 3], s[n - 2] = "e", "l"
        return n - 1
    if n > 4 and _termina(s, n, "ais"):
        s[n - 2] = "l"
        return n - 1
    if n > 4 and _termina(s, n, "óis"):
        s[n - 3], s[n - 2] = "o", "l"
        return n - 1
    if n > 4 and _termina(s, n, "is"):
        s[n - 1] = "l"
        return n
    if n > 3 and (_termina(s, n, "ões") or _termina(s, n, "ães")):
        n -= 1
        s[n - 2], s[n - 1] = "ã", "o"
        return n
    if n > 6 and _termina(s, n, "mente"):
        return n - 5
    if n > 3 and s[n - 1] == "s":
        return n - 1
    return n


def _feminino(s: list[str], n: int) -> int:
    if n > 7 and any(_termina(s, n, x) for x in ("inha", "iaca", "eira")):
        s[n - 1] = "o"
        return n
    if n > 6:
        if any(_termina(s, n, x) for x in ("osa", "ica", "ida", "ada", "iva", "ama")):
            s[n - 1] = "o"
            return n
        if _termina(s, n, "ona"):
            s[n - 3], s[n - 2] = "ã", "o"
            return n - 1
        if _termina(s, n, "ora"):
            return n - 1
        if _termina(s, n, "esa"):
            s[n - 3] = "ê"
            return n - 1
        if _termina(s, n, "na"):
            s[n - 1] = "o"
            return n
    return n


@lru_cache(maxsize=65_536)
def radical(termo: str) -> str:
    """The light Portuguese stem of a lowercase term (PortugueseLightStemmer)."""
    s, n = list(termo), len(termo)
    if n < 4:
        return termo
    n = _remover_sufixo(s, n)
    if n > 3 and s[n - 1] == "a":
        n = _feminino(s, n)
    if n > 4 and s[n - 1] in "eao":
        n -= 1
    return "".join(s[:n]).translate(_ACENTO_RADICAL)


def analisar_portugues(texto: str) -> list[tuple[int, str]]:
    """(position, term) of the `portuguese` analyzer; stop words leave their position empty."""
    termos = []
    for posicao, token in enumerate(tokenizar(texto)):
        minusculo = token.lower()
        if minusculo not in PARADA:
            termos.append((posicao, radical(minusculo)))
    return termos


def analisar_folded(texto: str, *, parada: bool = True, ordinais: bool = True) -> list[tuple[int, str]]:
    """(position, term) of the `folded` analyzer: lowercase, ASCII folding, stop words (with `parada`)."""
    termos = []
    for posicao, token in enumerate(tokenizar(texto)):
        dobrado = dobrar_acentos(token.lower(), ordinais=ordinais)
        if not (parada and dobrado in PARADA):
            termos.append((posicao, dobrado))
    return termos


@dataclass(frozen=True)
class Regras:
    """The analysis as the search server applies it.

    `parada_folded`: the `folded` sub-field drops stop words, as its mapping says and Elasticsearch
    does; the local search server keeps them there (its `_analyze` drops them, but indexing and
    search do not). `dobrar_ordinais`: º and ª fold to o and a (Lucene); the local server keeps them.
    `LOCAL` holds the local server's rules (PROTOCOLO_ALERTAS_ANALISE=local, set by `protocolo up`).
    """

    parada_folded: bool = True
    dobrar_ordinais: bool = True

    def portugues(self, texto: str) -> list[tuple[int, str]]:
        """The `portuguese` analyzer."""
        return analisar_portugues(texto)

    def folded(self, texto: str) -> list[tuple[int, str]]:
        """The `folded` analyzer, as the server applies it."""
        return _folded(texto, self.parada_folded, self.dobrar_ordinais)


ELASTICSEARCH = Regras()
"""The analysis as the mappings define it (Elasticsearch)."""
LOCAL = Regras(parada_folded=False, dobrar_ordinais=False)
"""The analysis as the local search server applies it."""


@lru_cache(maxsize=65_536)
def _folded(texto: str, parada: bool, ordinais: bool) -> list[tuple[int, str]]:
    return analisar_folded(texto, parada=parada, ordinais=ordinais)
