"""Fine-tuning the reader: all-MiniLM-L6-v2 (the packaged weights) as a cross-encoder that
reads (question, title + date + preceding text + sentence) and scores whether the sentence
answers.

On a 2-core CPU a full fine-tune of several epochs does not fit in the hour the project
allows, so the lower layers stay as packaged: their outputs are computed once per pair and
kept, and only the top layers and the head are trained, for several epochs, on them. The
exported model is the whole network (embeddings, all six layers, mean pooling, head).
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.reader.model import arrays, encode_pairs, make_tokenizer
from assistant.reader.spans import sentence_tokens, token_targets

_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


@dataclass(frozen=True)
class Pair:
    question: str
    text: str
    label: float
    group: int  # the question it belongs to (for the listwise loss)
    # The answer's characters in `text` (the span head's target); None: not taught a span
    # (a positive whose answer is not written literally), or [CLS] for a negative.
    span: tuple[int, int] | None = None


@dataclass(frozen=True)
class TrainConfig:
    frozen_layers: int = 4
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 1e-4
    head_learning_rate: float = 1e-3
    seed: int = 13
    threads: int = 0
    # Weight of the listwise term: a question's answering sentences against its other
    # candidates (softmax over the group), which is what picking one sentence to quote needs;
    # the pointwise term keeps the logit meaningful for questions with no answer at all.
    listwise_weight: float = 0.0
    # Weight of the span head's loss (spans.py); 0: no span head (the shipped reader).
    span_weight: float = 0.0


def _torch(seed: int, threads: int):  # noqa: ANN202
    import torch

    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    if threads:
        torch.set_num_threads(threads)
    return torch


def build_model(model_dir: Path, span_head: bool = False):  # noqa: ANN201 - torch.nn.Module
    import torch
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")

    class CrossEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder
            self.head = torch.nn.Linear(encoder.config.hidden_size, 1)
            self.span = torch.nn.Linear(encoder.config.hidden_size, 2) if span_head else None

        def extended_mask(self, attention_mask):  # noqa: ANN001, ANN202
            # Additive mask the eager attention adds to its scores: 0 to attend, -1e4 not.
            return (1.0 - attention_mask[:, None, None, :].float()) * -1e4

        def lower(self, input_ids, attention_mask, token_type_ids, n_layers):  # noqa: ANN001, ANN201
            hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=token_type_ids)
            mask = self.extended_mask(attention_mask)
            for layer in self.encoder.encoder.layer[:n_layers]:
                hidden = layer(hidden, mask)
            return hidden

        def upper(self, hidden, attention_mask, n_layers):  # noqa: ANN001, ANN201
            """The sentence logit, and the span logits (tokens x start/end) or None."""
            mask = self.extended_mask(attention_mask)
            for layer in self.encoder.encoder.layer[n_layers:]:
                hidden = layer(hidden, mask)
            weights = attention_mask[:, :, None].float()
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return self.head(pooled).squeeze(-1), None if self.span is None else self.span(hidden)

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            hidden = self.lower(input_ids, attention_mask, token_type_ids, 0)
            logit, span = self.upper(hidden, attention_mask, 0)
            return logit if span is None else (logit, span)

    return CrossEncoder()


def train(pairs: Sequence[Pair], model_dir: Path, config: TrainConfig, log=print):  # noqa: ANN001, ANN201
    """Fine-tune on `pairs`; returns the trained module and the loss per epoch."""
    torch = _torch(config.seed, config.threads)
    tokenizer = make_tokenizer(model_dir)
    model = build_model(model_dir, span_head=config.span_weight > 0)
    model.eval()
    k = config.frozen_layers
    for p in model.encoder.embeddings.parameters():
        p.requires_grad_(False)
    for layer in model.encoder.encoder.layer[:k]:
        for p in layer.parameters():
            p.requires_grad_(False)
    # The frozen part's outputs, once (the batches stay the same in every epoch).
    batches = training_batches(pairs, config)
    cached = []
    with torch.no_grad():
        for b, idx in enumerate(batches):
            encodings = tokenizer.encode_batch([(pairs[i].question, pairs[i].text) for i in idx])
            feeds = {name: torch.from_numpy(arr) for name, arr in arrays(encodings).items()}
            hidden = model.lower(feeds["input_ids"], feeds["attention_mask"],
                                 feeds["token_type_ids"], k)  # fmt: skip
            labels = torch.tensor([pairs[i].label for i in idx], dtype=torch.float32)
            groups = torch.tensor([pairs[i].group for i in idx], dtype=torch.long)
            spans = None
            if model.span is not None:
                spans = span_targets(torch, [pairs[i] for i in idx], encodings)
            cached.append((hidden.half(), feeds["attention_mask"], labels, groups, spans))
            if b % 50 == 0:
                log(f"  lower layers: batch {b + 1}/{len(batches)}")
    positives = sum(p.label for p in pairs)
    pos_weight = torch.tensor(max(1.0, (len(pairs) - positives) / max(1.0, positives)) ** 0.5)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    upper = [p for layer in model.encoder.encoder.layer[k:] for p in layer.parameters()]
    optimiser = torch.optim.AdamW(
        [{"params": upper, "lr": config.learning_rate},
         {"params": model.head.parameters(), "lr": config.head_learning_rate}],
        weight_decay=0.01,
    )  # fmt: skip
    steps = config.epochs * len(cached)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: max(0.0, 1 - s / steps))
    rng = random.Random(config.seed)
    losses = []
    model.train()
    for epoch in range(config.epochs):
        rng.shuffle(cached)
        total = 0.0
        for hidden, mask, labels, groups, spans in cached:
            logits, span_logits = model.upper(hidden.float(), mask, k)
            loss = loss_fn(logits, labels)
            if spans is not None:
                loss = loss + config.span_weight * _span_loss(torch, span_logits, *spans)
            if config.listwise_weight:
                loss = loss + config.listwise_weight * _listwise(torch, logits, labels, groups)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            scheduler.step()
            total += float(loss.detach()) * len(labels)
        losses.append(total / len(pairs))
        log(f"  epoch {epoch + 1}: loss {losses[-1]:.4f}")
    model.eval()
    return model, losses


def training_batches(pairs: Sequence[Pair], config: TrainConfig) -> list[list[int]]:
    """Pair indices in batches of about `config.batch_size`, pairs of similar length together
    (little padding wasted). The listwise term compares a question's pairs, so it needs them
    in one batch; without it, batches mix questions, pairs ordered by length whatever their
    question: batches of two or three questions each taught a reader that answered six dev
    questions fewer (round 16)."""
    if config.listwise_weight:
        return _group_batches(pairs, config.batch_size)
    size = config.batch_size
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].question) + len(pairs[i].text))
    return [order[s : s + size] for s in range(0, len(order), size)]


def _group_batches(pairs: Sequence[Pair], batch_size: int) -> list[list[int]]:
    """Pair indices in batches of about `batch_size`, a question's pairs never split,
    questions ordered by their longest pair."""
    by_group: dict[int, list[int]] = {}
    for i, p in enumerate(pairs):
        by_group.setdefault(p.group, []).append(i)
    length = {g: max(len(pairs[i].question) + len(pairs[i].text) for i in idx)
              for g, idx in by_group.items()}  # fmt: skip
    batches: list[list[int]] = [[]]
    for g in sorted(by_group, key=lambda g: (length[g], g)):
        if batches[-1] and len(batches[-1]) + len(by_group[g]) > batch_size:
            batches.append([])
        batches[-1].extend(by_group[g])
    return [b for b in batches if b]


def span_targets(torch, pairs: Sequence[Pair], encodings: Sequence):  # noqa: ANN001, ANN201
    """The span head's targets for a batch: which tokens it may pick ([CLS] and the
    sentence's), the start and end token, and which pairs teach a span at all."""
    allowed, starts, ends, taught = [], [], [], []
    for p, enc in zip(pairs, encodings, strict=True):
        ok = sentence_tokens(enc, p.text)
        ok[0] = True
        target = token_targets(enc, p.text, p.span if p.label > 0.5 else None)
        if p.label > 0.5 and p.span is None:
            target = None  # an answer not written literally: no span taught
        allowed.append(ok)
        starts.append(target[0] if target else 0)
        ends.append(target[1] if target else 0)
        taught.append(target is not None)
    return (
        torch.from_numpy(np.stack(allowed)),
        torch.tensor(starts),
        torch.tensor(ends),
        torch.tensor(taught, dtype=torch.float32),
    )


def _span_loss(torch, span_logits, allowed, starts, ends, taught):  # noqa: ANN001, ANN202
    """Cross-entropy of the start and of the end token over the allowed tokens."""
    masked = span_logits.masked_fill(~allowed[:, :, None], -1e4)
    ce = torch.nn.functional.cross_entropy
    loss = ce(masked[:, :, 0], starts, reduction="none")
    loss = loss + ce(masked[:, :, 1], ends, reduction="none")
    return (loss * taught).sum() / taught.sum().clamp(min=1.0) / 2


def _listwise(torch, logits, labels, groups):  # noqa: ANN001, ANN202
    """Mean over the batch's questions that have an answering sentence of
    -log(softmax mass on the answering sentences)."""
    terms = []
    for g in torch.unique(groups):
        in_group = groups == g
        positive = labels[in_group] > 0.5
        if positive.any() and not positive.all():
            scores = logits[in_group]
            terms.append(torch.logsumexp(scores, 0) - torch.logsumexp(scores[positive], 0))
    return torch.stack(terms).mean() if terms else logits.sum() * 0.0


def export(model, target: Path, int8_target: Path) -> None:  # noqa: ANN001
    """The whole network to ONNX (fused by onnxruntime's BERT optimiser), then int8."""
    import torch

    from vectorstore.onnx_embedder import optimise, quantize_int8

    raw = target.with_suffix(".unfused.onnx")
    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS}
    outputs = {"logit": {0: "batch"}}
    if model.span is not None:
        outputs["span_logits"] = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            model, (dummy, dummy, torch.zeros_like(dummy)), str(raw),
            input_names=list(_INPUTS), output_names=list(outputs),
            dynamic_axes={**axes, **outputs}, opset_version=17, dynamo=False,
        )  # fmt: skip
    config = model.encoder.config
    optimise(raw, target, config.hidden_size, config.num_attention_heads)
    raw.unlink()
    quantize_int8(target, int8_target)
    for leftover in target.parent.glob("*.data"):
        os.remove(leftover)


def score_with_torch(model, model_dir: Path, question: str, texts: Sequence[str]) -> np.ndarray:  # noqa: ANN001
    """Logits from the in-memory model (used to check the export gives the same numbers)."""
    import torch

    tokenizer = make_tokenizer(model_dir)
    pairs = [(question, t) for t in texts]
    feeds = {k: torch.from_numpy(v) for k, v in encode_pairs(tokenizer, pairs).items()}
    with torch.no_grad():
        out = model(**feeds)
    return (out[0] if isinstance(out, tuple) else out).numpy()
