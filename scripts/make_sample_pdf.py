"""Regenerate assistant/sample_corpus/shipping-canal-drought.pdf (a dev tool; needs reportlab).

The article is the project's own writing. Run: .venv/bin/pip install reportlab &&
.venv/bin/python scripts/make_sample_pdf.py
"""

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

TITLE = "Drought forces shipping canal to cut daily crossings from 36 to 24"
PARAGRAPHS = [
    "Source: Meridian Wire",
    "Published: November 3, 2023",
    "The authority that runs the Varen Canal will allow only 24 vessels a day through the "
    "waterway from next week, down from 36, because a prolonged drought has lowered the lakes "
    "that feed its locks.",
    "Water levels in Lake Orsa, the canal's main reservoir, are at their lowest since records "
    "began in 1950, the authority said on Friday. Each ship that passes through the locks "
    "uses millions of litres of fresh water.",
    "Shipping companies have been told to expect waiting times of up to nine days. Some "
    "container lines have already begun sending vessels on a longer route around the "
    "southern cape, adding about a week to journeys between the two oceans.",
    "Canal administrator Julia Brandt said the restrictions would stay in place until the "
    "rainy season refills the reservoir, which forecasters do not expect before May.",
]


def main() -> None:
    out = (
        Path(__file__).resolve().parent.parent
        / "assistant/sample_corpus/shipping-canal-drought.pdf"
    )
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(str(out), pagesize=A4, title=TITLE, author="Carlos Ibarra")
    story = [Paragraph(TITLE, styles["Title"]), Spacer(1, 12)]
    for text in PARAGRAPHS:
        story += [Paragraph(text, styles["BodyText"]), Spacer(1, 8)]
    doc.build(story)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
