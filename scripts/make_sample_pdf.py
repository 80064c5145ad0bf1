"""Regenerate assistant/sample_corpus/shipping-canal-drought.pdf (a dev tool; needs reportlab).

The article is the project's own, fictional writing. reportlab is not a runtime dependency:
install it into the dev environment, then run

    .venv/bin/pip install reportlab
    .venv/bin/python scripts/make_sample_pdf.py

The output is byte-for-byte reproducible (reportlab's invariant mode fixes the timestamps and
document id), so regenerating it leaves git clean unless the text below changed. The loader
takes the date from the "Published:" line, not from the PDF's creation date.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

TITLE = "Drought forces shipping canal to cut daily crossings from 36 to 24"
AUTHOR = "Carlos Ibarra"
HEADER_LINES = [
    "Published: November 3, 2023",
    "Source: Meridian Wire",
    f"By {AUTHOR}",
]
PARAGRAPHS = [
    "The authority that runs the Varen Canal will allow only 24 vessels a day through the "
    "waterway from next week, down from 36, because a prolonged drought has lowered the lakes "
    "that feed its locks.",
    "Water levels in Lake Orsa, the canal's main reservoir, are at their lowest since records "
    "began in 1950, the authority said on Friday. Each ship that passes through the locks "
    "uses millions of litres of fresh water, most of which drains out to sea.",
    "The authority has also lowered the maximum draught for ships using the canal to 13.4 "
    "metres, which means the largest container ships must carry fewer boxes to cross.",
    "Shipping companies have been told to expect waiting times of up to nine days. Some "
    "container lines have already begun sending vessels on a longer route around the "
    "southern cape, adding about a week to journeys between the two oceans.",
    "Canal administrator Julia Brandt said the restrictions would stay in place until the "
    "rainy season refills the reservoir, which forecasters do not expect before May. Speaking "
    "to reporters at the authority's offices, she said: \"We cannot make it rain, so we have "
    'to share out the water we have."',
    "Freight analysts said the cuts would add to delivery costs in the run-up to the holiday "
    "season. Miriam Sato, a consultant at the logistics firm Tidewater Analytics, put it "
    'simply: "Every day a ship waits at anchor costs its owner money, and that bill ends up '
    'with the customer."',
    "The canal earned about 4.3 billion dollars in fees last year, and the authority expects "
    "the restrictions to cut that income by roughly a fifth.",
]

OUT = Path(__file__).resolve().parent.parent / "assistant/sample_corpus/shipping-canal-drought.pdf"


def main() -> None:
    styles = getSampleStyleSheet()
    doc = SimpleDocTemplate(
        str(OUT),
        pagesize=A4,
        title=TITLE,
        author=AUTHOR,
        subject="Meridian Wire",
        invariant=1,
    )
    story = [Paragraph(TITLE, styles["Title"]), Spacer(1, 6)]
    for line in HEADER_LINES:
        story += [Paragraph(line, styles["Normal"]), Spacer(1, 4)]
    story.append(Spacer(1, 8))
    for text in PARAGRAPHS:
        story += [Paragraph(text, styles["BodyText"]), Spacer(1, 8)]
    doc.build(story)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
