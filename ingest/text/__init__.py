"""The text layer: how every package reads text (each may import `ingest`).

- `clean`: the clean-up loaders apply once (offsets point into its result);
- `sentences`: sentence spans with exact offsets (chunking and quoting share them);
- `tokens`: words as search, answering and evaluation compare them;
- `calendar`: month names, one spelling of them for every date reader, and dates in text;
- `numbers`: figures and number words read as plain values;
- `names`: capitalised names in running text.
"""

from ingest.text.calendar import (
    CALENDAR_WORD,
    DATE_VALUE,
    MONTH_TOKEN,
    MONTH_WORD,
    date_values,
    month_number,
)
from ingest.text.clean import clean_text, surrogate_at, valid_unicode
from ingest.text.names import NAME
from ingest.text.numbers import FIGURE, QUANTITY, stated_quantities
from ingest.text.sentences import sentence_spans
from ingest.text.tokens import STOPWORDS, tokenize

__all__ = [
    "CALENDAR_WORD",
    "DATE_VALUE",
    "FIGURE",
    "MONTH_TOKEN",
    "MONTH_WORD",
    "NAME",
    "QUANTITY",
    "STOPWORDS",
    "clean_text",
    "date_values",
    "month_number",
    "sentence_spans",
    "stated_quantities",
    "surrogate_at",
    "tokenize",
    "valid_unicode",
]
