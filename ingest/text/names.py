"""Names in running text, as the disagreement rules and the answer's highlighted span read
them: runs of capitalised words that do not open a sentence."""

from __future__ import annotations

import re

# A run of capitalised words, not at the start of the text or of a sentence (where any
# word is capitalised).
NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")
