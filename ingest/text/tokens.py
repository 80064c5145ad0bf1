"""Words as every part of Newsdesk compares them: lower-cased word and number tokens, accents
folded, light plural folding, stopwords dropped. BM25, the answer's word weights, the
conflict rules and the evaluation's accuracy all read text through `tokenize`."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

STOPWORDS = frozenset(
    """
    a an and are as at be been being but by can could did do does for from had has have he her
    hers him his how i if in into is it its me more most my no not of on or our out over she so
    than that the their them then there these they this those to too up us was we were what when
    where which while who whom whose why will with would you your yours about after again also
    any because before between both during each few further here just many much now only other
    own same should some such through under until very said says say according
    """.split()
)

_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


def _fold_accents(token: str) -> str:
    # "Dončić" and "Doncic", "Pérez" and "Perez": news and questions spell names both ways.
    if token.isascii():
        return token
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# A store's vocabulary is small beside the words read: a warm ask normalises ~10,000 words
# (~19 ms at 100k chunks uncached), ingest millions.
@lru_cache(maxsize=1 << 17)
def _normalise(token: str) -> str:
    token = _fold_accents(token.casefold().replace("’", "'"))
    if token[0].isdigit():
        # "2,500" and "2500" are the same number; keep decimals ("5.25").
        return token.replace(",", "")
    if token.endswith("'s"):
        token = token[:-2]
    # Light plural folding: "troops" ~ "troop", without a stemmer dependency.
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        token = token[:-1]
    return token


# "US", "U.S." and "USA" all mean the country; lower-cased they would collide with "us".
_COUNTRY_US = re.compile(r"\bU\.S\.(?:A\.)?|\bUSA?\b")


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Lower-cased word and number tokens, plurals folded, stopwords dropped."""
    tokens = []
    for match in _TOKEN.finditer(_COUNTRY_US.sub(" usa ", text)):
        token = _normalise(match.group())
        if keep_stopwords or token not in STOPWORDS:
            tokens.append(token)
    return tokens
