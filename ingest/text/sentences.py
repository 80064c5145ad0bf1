"""Sentence splitting that keeps exact character offsets.

Both chunking (ingest) and sentence selection (assistant) use `sentence_spans`, so a citation's
quote is always a slice of the article text that chunking saw.
"""

from __future__ import annotations

import re

# Words that end with a full stop without ending a sentence. Lower-case, without the dot.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sen rep gen col lt sgt capt cmdr adm gov pres st jr sr inc corp ltd co
    vs etc al approx dept est fig no nos vol mt ft rev hon
    jan feb mar apr jun jul aug sep sept oct nov dec
    u.s u.k u.n e.g i.e a.m p.m d.c
    """.split()
)

# Words that, capitalised after an abbreviation, show that a new sentence has begun.
_SENTENCE_STARTERS = frozenset(
    "the a an it he she they we i but and in on at this that these there his her its their "
    "after when while meanwhile however".split()
)

# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
# "?" and "!" also end a sentence glued to the next one ("Who was he?The 39th president"),
# which happens when HTML blocks are joined; a glued "." is too often "U.S" or "3.5" to trust.
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|[!?]+(?=[A-Z“\"])")
_PARAGRAPH = re.compile(r"\n\s*\n")


def _ends_with_abbreviation(text: str, dot_index: int) -> bool:
    """True when the full stop at `dot_index` closes an abbreviation or an initial."""
    if text[dot_index] != ".":
        return False
    start = dot_index
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "(\"“'‘":
        start -= 1
    word = text[start:dot_index].casefold()
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    # Single initials ("J. Smith") and dotted acronyms ("U.S.", "a.m.").
    return len(word) == 1 and word.isalpha() or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        dot = match.start()
        if _ends_with_abbreviation(text, dot):
            # "U.S. troops" continues the sentence; "in the U.S. The next day" does not.
            words = text[match.end() : match.end() + 40].split(None, 1)
            if not words or words[0].casefold() not in _SENTENCE_STARTERS:
                continue
        following = text[match.end() : match.end() + 3].lstrip()
        if following and following[0].islower():
            continue
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text[start:end]`, as offsets into `text`.

    Paragraph breaks always end a sentence (headlines and captions have no full stop).
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for para in _PARAGRAPH.finditer(text, start, end):
        spans.extend(_split_paragraph(text, cursor, para.start()))
        cursor = para.end()
    spans.extend(_split_paragraph(text, cursor, end))
    # A single newline inside a paragraph also ends a sentence when the line has no final
    # punctuation (lists, datelines): split those lines apart.
    result: list[tuple[int, int]] = []
    for s, e in spans:
        piece_start = s
        for nl in re.finditer(r"\n", text[s:e]):
            cut = s + nl.start()
            if cut > piece_start and text[cut - 1] not in ",;:-–":
                result.append((piece_start, cut))
                piece_start = cut + 1
        if e > piece_start:
            result.append((piece_start, e))
    return [(s, e) for s, e in result if text[s:e].strip()]
