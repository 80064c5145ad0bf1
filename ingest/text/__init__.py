"""The text layer: how every package reads text (each may import `ingest`).

- `clean`: the clean-up loaders apply once (offsets point into its result);
- `sentences`: sentence spans with exact offsets (chunking and quoting share them);
- `tokens`: words as search, answering and evaluation compare them;
- `calendar`: month names, one spelling of them for every date reader, and dates in text;
- `numbers`: figures and number words read as plain values;
- `names`: capitalised names in running text (every reader of a name);
- `timescope`: the publication dates a question is about ("as of March 2024", "last week");
- `question`: a question read once (`Question`: what it asks for, its names, its time, a
  follow-up cue).
"""

from ingest.text.calendar import (
    CALENDAR_WORD,
    DATE_VALUE,
    MONTH_TOKEN,
    MONTH_WORD,
    TIME_WORD,
    date_values,
    month_number,
)
from ingest.text.clean import clean_text, surrogate_at, valid_unicode
from ingest.text.names import (
    CAPITALISED,
    COUNTRY_INITIALS,
    NAME,
    NAME_PHRASE,
    NAME_WORD,
    NATIONALITY,
    sentence_names,
)
from ingest.text.numbers import FIGURE, NUMBER_MENTION, QUANTITY, stated_quantities
from ingest.text.question import (
    KINDS,
    Question,
    follow_up_focus,
    parse_question,
    question_entities,
    question_kind,
)
from ingest.text.sentences import sentence_spans
from ingest.text.timescope import TimeScope, parse_time_scope
from ingest.text.tokens import STOPWORDS, tokenize

__all__ = [
    "CALENDAR_WORD",
    "CAPITALISED",
    "COUNTRY_INITIALS",
    "DATE_VALUE",
    "FIGURE",
    "KINDS",
    "MONTH_TOKEN",
    "MONTH_WORD",
    "NAME",
    "NAME_PHRASE",
    "NAME_WORD",
    "NATIONALITY",
    "NUMBER_MENTION",
    "QUANTITY",
    "Question",
    "STOPWORDS",
    "TIME_WORD",
    "TimeScope",
    "clean_text",
    "date_values",
    "follow_up_focus",
    "month_number",
    "parse_question",
    "parse_time_scope",
    "question_entities",
    "question_kind",
    "sentence_names",
    "sentence_spans",
    "stated_quantities",
    "surrogate_at",
    "tokenize",
    "valid_unicode",
]
