"""PDF documents (decision letters, export indexes) with fpdf2.

Text is set in IBM Plex Sans, the typeface of the Danish common design system, from the
DKFDS files ``make`` copies into the static folder; without them (a bare checkout) the
built-in Helvetica is used, with characters outside Latin-1 replaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

FONT_DIR = (
    Path(__file__).resolve().parent.parent
    / "static"
    / "vendor"
    / "dkfds"
    / "fonts"
    / "IBMPlexSans"
    / "complete"
    / "ttf"
)
_LATIN1_FALLBACK = str.maketrans({"–": "-", "—": "-", "→": "->", "“": '"', "”": '"', "’": "'"})


@dataclass
class PdfDocument:
    """A simple document: a title, then headings, paragraphs, key–value lines and tables."""

    title: str
    author: str = "Borgerservice"
    language: str = "da"
    _pdf: FPDF = field(init=False, repr=False)
    _font: str = field(init=False, default="helvetica")

    def __post_init__(self) -> None:
        pdf = FPDF(format="A4")
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_margins(20, 18, 20)
        pdf.set_title(self.title)
        pdf.set_author(self.author)
        pdf.set_lang(self.language)
        pdf.set_creator("Borgerservice")
        regular, bold = FONT_DIR / "IBMPlexSans-Regular.ttf", FONT_DIR / "IBMPlexSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("plex", "", str(regular))
            pdf.add_font("plex", "B", str(bold))
            self._font = "plex"
        pdf.add_page()
        self._pdf = pdf
        self.heading(self.title, size=16)

    def _text(self, text: str) -> str:
        text = str(text)
        if self._font == "helvetica":
            text = text.translate(_LATIN1_FALLBACK).encode("latin-1", "replace").decode("latin-1")
        return text

    def heading(self, text: str, *, size: int = 13) -> None:
        pdf = self._pdf
        pdf.set_font(self._font, "B", size)
        pdf.multi_cell(0, size * 0.55, self._text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    def paragraph(self, text: str, *, size: int = 10) -> None:
        pdf = self._pdf
        pdf.set_font(self._font, "", size)
        for part in str(text).split("\n"):
            pdf.multi_cell(0, 5, self._text(part), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    def field(self, label: str, value: str) -> None:
        pdf = self._pdf
        pdf.set_font(self._font, "B", 10)
        pdf.cell(50, 5, self._text(label))
        pdf.set_font(self._font, "", 10)
        pdf.multi_cell(0, 5, self._text(value or "-"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(self, headings: list[str], rows: list[list[str]], widths: list[int]) -> None:
        """A table whose header repeats on every page."""
        pdf = self._pdf
        pdf.set_font(self._font, "", 9)
        with pdf.table(
            col_widths=widths,
            headings_style=FontFace(emphasis="BOLD"),
            line_height=5,
            repeat_headings=1,
            text_align="LEFT",
        ) as table:
            head = table.row()
            for text in headings:
                head.cell(self._text(text))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(self._text(value))
        pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self._pdf.output())
