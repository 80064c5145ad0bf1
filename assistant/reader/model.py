"""The shipped reader: a cross-encoder trained by `python -m assistant.reader.train`, run by
onnxruntime (no torch at question time), and the learned decision fitted on top of it.

Both files live in `assistant/reader/model/`. `decision.json` holds the decision's weights as
data and the SHA-256 of the ONNX file; a file whose digest differs is refused, never run.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from assistant.reader import disagreement
from assistant.reader.calibration import Calibration
from assistant.reader.disagreement import DisagreementModel
from assistant.reader.features import FEATURES, WITHOUT_SPAN

MODEL_DIR = Path(__file__).parent / "model"
READER_FILE = "reader-int8.onnx"
DECISION_FILE = "decision.json"
MAX_TOKENS = 128


class ReaderUnavailable(RuntimeError):
    """The reader's files are missing or do not match their recorded checksum."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_tokenizer(model_dir: Path, max_tokens: int = MAX_TOKENS):  # noqa: ANN201 - Tokenizer
    """MiniLM's own tokenizer for (question, candidate) pairs. Truncation drops the left end
    of the longer segment: the candidate text ends with the sentence itself, which must stay."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_tokens, direction="left")
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id("[PAD]") or 0)
    return tokenizer


def encode_pairs(tokenizer, pairs: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:  # noqa: ANN001
    """Model inputs for (question, candidate text) pairs."""
    return arrays(tokenizer.encode_batch(list(pairs)))


def arrays(encodings: Sequence) -> dict[str, np.ndarray]:
    """Model inputs from the tokenizer's encodings."""
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


@dataclass(frozen=True)
class Decision:
    """Logistic regression over FEATURES: P(quoting this sentence answers the question)."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    # Refuse when the best sentence's confidence is under this (picked on dev).
    answer_threshold: float
    # Shown as "well supported" at or above this confidence, "weak support" below.
    strong_threshold: float
    # Whether two sentences the rules set against each other really disagree (None in a
    # decision file fitted before it existed: then the rules alone decide).
    disagreement: DisagreementModel | None = None
    # Raw probability -> how often such answers were right (reader/calibration.py); the
    # thresholds above are on its scale. None: the raw probability is the confidence.
    calibration: Calibration | None = None

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        rows = rows[:, : len(self.weights)]  # a decision fitted without the span columns
        z = ((rows - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))

    def confidence(self, probability: float) -> float:
        """The number users see and thresholds compare: the raw probability, calibrated."""
        return probability if self.calibration is None else self.calibration(probability)


def load_decision(folder: Path = MODEL_DIR) -> Decision:
    data = json.loads((folder / DECISION_FILE).read_text(encoding="utf-8"))
    if tuple(data["features"]) not in (FEATURES, FEATURES[:WITHOUT_SPAN]):
        raise ReaderUnavailable(f"{folder / DECISION_FILE}: fitted on other features")
    return Decision(
        weights=np.asarray(data["weights"], dtype=np.float32),
        bias=float(data["bias"]),
        mean=np.asarray(data["mean"], dtype=np.float32),
        scale=np.asarray(data["scale"], dtype=np.float32),
        answer_threshold=float(data["answer_threshold"]),
        strong_threshold=float(data["strong_threshold"]),
        disagreement=disagreement.load(data.get("disagreement")),
        calibration=Calibration.from_data(data.get("calibration")),
    )


class Reader:
    """Scores (question, candidate) pairs with the shipped cross-encoder: a logit each."""

    def __init__(self, folder: Path = MODEL_DIR) -> None:
        self.folder = folder
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def _load(self) -> None:
        from onnxruntime import InferenceSession, SessionOptions

        from vectorstore.embeddings import packaged_model_path

        meta = json.loads((self.folder / DECISION_FILE).read_text(encoding="utf-8"))
        model = self.folder / READER_FILE
        if not model.is_file():
            raise ReaderUnavailable(f"{model}: the reader model is missing")
        if sha256_of(model) != meta.get("reader_sha256"):
            raise ReaderUnavailable(
                f"{model}: SHA-256 does not match decision.json's reader_sha256; not loading it"
            )
        options = SessionOptions()
        options.log_severity_level = 3
        self._session = InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._tokenizer = make_tokenizer(Path(packaged_model_path()))

    def warm_up(self) -> None:
        with self._lock:
            if self._session is None:
                self._load()

    def scores(self, question: str, texts: Sequence[str]) -> np.ndarray:
        """The sentence logits alone."""
        return self.read(question, texts)[0]

    def read(self, question: str, texts: Sequence[str]):  # noqa: ANN201
        """The sentence logits, and with a span head each sentence's best span: its score
        against no answer and its characters in the text (spans.py); spans None without."""
        if not texts:
            return np.zeros(0, dtype=np.float32), None
        self.warm_up()
        encodings = self._tokenizer.encode_batch([(question, t) for t in texts])
        outputs = [o.name for o in self._session.get_outputs()]
        results = self._session.run(outputs, arrays(encodings))
        logits = results[0].reshape(-1).astype(np.float32)
        if "span_logits" not in outputs:
            return logits, None
        from assistant.reader.spans import span_scores

        return logits, span_scores(encodings, texts, results[1])


@cache
def shipped() -> tuple[Reader, Decision] | None:
    """The reader and decision shipped with the project, or None where they are absent
    (then the hand-weighted score decides, as before the reader existed)."""
    if not (MODEL_DIR / DECISION_FILE).is_file():
        return None
    reader = Reader(MODEL_DIR) if (MODEL_DIR / READER_FILE).is_file() else None
    return reader, load_decision(MODEL_DIR)
