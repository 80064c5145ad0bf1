"""The report's two plots, drawn with Pillow (which the web chat's gradio brings; matplotlib
is not installed): a reliability diagram and the refusal trade-off curve."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_SIZE, _MARGIN = 520, 70
_GREY, _BLUE, _RED = (170, 170, 170), (40, 90, 170), (200, 50, 40)


class _Axes:
    """A square plot of [0, 1] x [0, 1] with labelled axes."""

    def __init__(self, title: str, x_label: str, y_label: str) -> None:
        self.image = Image.new("RGB", (_SIZE + 2 * _MARGIN, _SIZE + 2 * _MARGIN), "white")
        self.draw = ImageDraw.Draw(self.image)
        self.font = ImageFont.load_default(size=14)
        left, top, right, bottom = _MARGIN, _MARGIN, _MARGIN + _SIZE, _MARGIN + _SIZE
        self.draw.rectangle((left, top, right, bottom), outline="black")
        for i in range(6):
            tick = i / 5
            x, y = self.at(tick, tick)
            self.draw.line((x, bottom, x, bottom + 5), fill="black")
            self.draw.line((left - 5, y, left, y), fill="black")
            self.draw.text(
                (x, bottom + 8), f"{tick:.1f}", fill="black", font=self.font, anchor="mt"
            )
            self.draw.text((left - 8, y), f"{tick:.1f}", fill="black", font=self.font, anchor="rm")
        self.draw.text((left + _SIZE / 2, 30), title, fill="black", font=self.font, anchor="mm")
        self.draw.text(
            (left + _SIZE / 2, bottom + 40), x_label, fill="black", font=self.font, anchor="mm"
        )
        label = Image.new("RGB", (_SIZE, 20), "white")
        ImageDraw.Draw(label).text(
            (_SIZE / 2, 10), y_label, fill="black", font=self.font, anchor="mm"
        )
        self.image.paste(label.rotate(90, expand=True), (10, top))

    def at(self, x: float, y: float) -> tuple[float, float]:
        return _MARGIN + x * _SIZE, _MARGIN + (1 - y) * _SIZE

    def save(self, path: Path) -> None:
        self.image.save(path, format="PNG")


def reliability_png(bins: Sequence[dict], path: Path) -> None:
    """Bars: the share correct in each confidence bin; the diagonal: perfect calibration."""
    axes = _Axes("Reliability", "confidence", "share correct")
    axes.draw.line((*axes.at(0, 0), *axes.at(1, 1)), fill=_GREY, width=2)
    for b in bins:
        if not b["count"]:
            continue
        (x0, y0), (x1, y1) = axes.at(b["low"], b["share_correct"]), axes.at(b["high"], 0)
        axes.draw.rectangle((x0 + 2, y0, x1 - 2, y1), fill=_BLUE, outline="black")
        x, y = axes.at(b["mean_confidence"], b["share_correct"])
        axes.draw.ellipse((x - 4, y - 4, x + 4, y + 4), fill=_RED)
        axes.draw.text(
            ((x0 + x1) / 2, y0 - 4), f"n={b['count']}", fill="black", font=axes.font, anchor="mb"
        )
    axes.save(path)


def refusal_png(calibration: dict, path: Path) -> None:
    """One point per threshold: answerable questions refused (x) against unanswerable ones
    refused (y); up and to the left is better. The red point is the run itself."""
    axes = _Axes("Refusal trade-off", "answerable refused (wrongly)", "unanswerable refused")
    points = [
        (r["threshold"], r["answerable_refused"], r["unanswerable_refused"])
        for r in calibration["refusal"]
        if r["answerable_refused"] is not None and r["unanswerable_refused"] is not None
    ]
    if len(points) > 1:
        axes.draw.line([axes.at(x, y) for _, x, y in points], fill=_BLUE, width=2)
    for threshold, x, y in points:
        if round(threshold * 100) % 10 == 0:
            px, py = axes.at(x, y)
            axes.draw.ellipse((px - 3, py - 3, px + 3, py + 3), fill=_BLUE)
            axes.draw.text(
                (px - 5, py - 3), f"{threshold:.1f}", fill=_BLUE, font=axes.font, anchor="rb"
            )
    run = calibration["run"]
    if run["answerable_refused"] is not None and run["unanswerable_refused"] is not None:
        px, py = axes.at(run["answerable_refused"], run["unanswerable_refused"])
        axes.draw.ellipse((px - 5, py - 5, px + 5, py + 5), fill=_RED)
        axes.draw.text((px + 8, py + 12), "this run", fill=_RED, font=axes.font, anchor="lm")
    axes.save(path)
