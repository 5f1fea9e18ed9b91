"""Product documents split into passages by their structure: headings, then paragraphs.

Each passage keeps its document's title and the path of headings above it, so an email can
cite "Pricing guide › Discounts › Non-profits". A section longer than `MAX_WORDS` is cut at
paragraph ends (a paragraph longer than that alone is cut at sentence ends), never inside a
sentence. Markdown and plain text are read line by line, HTML with the standard library's
parser, PDF with pypdf (a line set in a larger font than the body text is a heading).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

MAX_WORDS = 180
"""A passage's longest run of words: long enough to answer, short enough to quote from."""

READABLE = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text"}
READABLE |= {".html": "html", ".htm": "html", ".pdf": "pdf"}


class DocumentError(ValueError):
    """A document that cannot be read; the message names the file and what to do."""


class Passage(BaseModel):
    """One passage of a document, with where it sits."""

    title: str = Field(description="The document's title.")
    headings: list[str] = Field(
        default_factory=list, description="The headings above it, outermost first."
    )
    text: str

    @property
    def citation(self) -> str:
        """'Title › Section › Subsection', as an email cites it."""
        return " › ".join([self.title, *self.headings])


class _Section(BaseModel):
    headings: list[str]
    paragraphs: list[str]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _pieces(paragraphs: list[str]) -> Iterable[str]:
    """Paragraphs joined into passages of at most MAX_WORDS words, cut at paragraph ends."""
    current: list[str] = []
    size = 0
    for paragraph in paragraphs:
        words = len(paragraph.split())
        units = _SENTENCE_END.split(paragraph) if words > MAX_WORDS else [paragraph]
        for unit in units:
            count = len(unit.split())
            if current and size + count > MAX_WORDS:
                yield "\n\n".join(current)
                current, size = [], 0
            current.append(unit)
            size += count
    if current:
        yield "\n\n".join(current)


def _passages(title: str, sections: list[_Section]) -> list[Passage]:
    passages = []
    for section in sections:
        paragraphs = [p for p in (" ".join(p.split()) for p in section.paragraphs) if p]
        for text in _pieces(paragraphs):
            passages.append(Passage(title=title, headings=section.headings, text=text))
    return passages


class _Outline:
    """Sections built as headings and paragraphs arrive in reading order."""

    def __init__(self) -> None:
        self.sections: list[_Section] = [_Section(headings=[], paragraphs=[])]
        self._levels: list[tuple[int, str]] = []

    def heading(self, level: int, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        self._levels = [(lv, h) for lv, h in self._levels if lv < level] + [(level, text)]
        self.sections.append(_Section(headings=[h for _, h in self._levels], paragraphs=[]))

    def paragraph(self, text: str) -> None:
        if text.strip():
            self.sections[-1].paragraphs.append(text.strip())


_ATX = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_MARKUP = re.compile(r"(\*\*|__|`|\[([^\]]*)\]\([^)]*\))")


def _plain_markdown(line: str) -> str:
    """A line without emphasis, code ticks and link targets ("[docs](url)" → "docs")."""
    return _MARKUP.sub(lambda m: m.group(2) or "", line)


def parse_markdown(text: str, fallback_title: str) -> list[Passage]:
    """Markdown: ATX headings (`#`..`######`) open sections; blank lines end paragraphs.
    The first level-1 heading is the title when the document has exactly one."""
    outline, paragraph, fenced = _Outline(), [], False
    lines = text.splitlines()
    level_one = [m.group(2) for line in lines if (m := _ATX.match(line)) and len(m.group(1)) == 1]
    title = level_one[0].strip() if len(level_one) == 1 else fallback_title
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
            continue
        heading = None if fenced else _ATX.match(line)
        if heading or not line.strip():
            outline.paragraph(" ".join(paragraph))
            paragraph = []
        if heading:
            level, words = len(heading.group(1)), heading.group(2).strip()
            if not (level == 1 and words == title):
                outline.heading(level, _plain_markdown(words))
        elif line.strip():
            paragraph.append(_plain_markdown(line.strip().lstrip("-*+> ").strip()))
    outline.paragraph(" ".join(paragraph))
    return _passages(title, outline.sections)


def parse_text(text: str, fallback_title: str) -> list[Passage]:
    """Plain text: paragraphs between blank lines; a short line followed by a blank line and
    written without a closing full stop is a heading."""
    outline = _Outline()
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    for block in blocks:
        single = "\n" not in block
        if single and len(block.split()) <= 8 and not block.endswith((".", "?", "!", ":")):
            outline.heading(1, block)
        else:
            outline.paragraph(" ".join(block.split()))
    return _passages(fallback_title, outline.sections)


class _HtmlReader(HTMLParser):
    _BLOCKS = frozenset({"p", "li", "td", "th", "dd", "dt", "blockquote", "pre", "div", "br"})
    _SKIP = frozenset({"script", "style", "nav", "footer", "header", "noscript", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = _Outline()
        self.title = ""
        self.level_one: list[str] = []
        self._text: list[str] = []
        self._heading: int | None = None
        self._skip = 0
        self._in_title = False

    def _flush(self) -> None:
        text = " ".join("".join(self._text).split())
        self._text = []
        if not text:
            return
        if self._heading is not None:
            if self._heading == 1:
                self.level_one.append(text)
            self.outline.heading(self._heading, text)
        else:
            self.outline.paragraph(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = int(tag[1])
        elif tag in self._BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = None
        elif tag in self._BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._text.append(data)


def parse_html(text: str, fallback_title: str) -> list[Passage]:
    """HTML: h1–h6 open sections, block elements (p, li, td…) are paragraphs; scripts,
    styles, navigation and footers are dropped. The title is <title>, else the one <h1>."""
    reader = _HtmlReader()
    reader.feed(text)
    reader.close()
    reader._flush()
    title = " ".join(reader.title.split()) or (
        reader.level_one[0] if len(reader.level_one) == 1 else fallback_title
    )
    sections = reader.outline.sections
    if len(reader.level_one) == 1 and reader.level_one[0] == title:
        # The page's own <h1> repeats its title: drop it from the heading paths.
        for section in sections:
            if section.headings[:1] == [title]:
                section.headings = section.headings[1:]
    return _passages(title, sections)


def parse_pdf(path: Path, fallback_title: str) -> list[Passage]:
    """PDF: the text of each page in reading order; a line set in a larger font than the
    body text (the most common size) is a heading, the largest size level 1. The title is
    the document's metadata title, else the file name."""
    try:  # imported here: only PDF files need it
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:
        raise DocumentError(
            f"{path}: reading PDF needs pypdf; reinstall the project (pip install -e .)"
        ) from exc

    try:
        reader = PdfReader(path)
        lines: list[tuple[str, float]] = []
        for page in reader.pages:
            lines += _pdf_lines(_page_runs(page))
            lines.append(("", 0.0))  # a page ends a paragraph
        title = (reader.metadata.title if reader.metadata else None) or fallback_title
    except (PdfReadError, OSError, ValueError) as exc:
        raise DocumentError(f"{path}: not a readable PDF ({exc}); export it again") from exc
    sizes = Counter(size for text, size in lines if text.strip())
    if not sizes:
        raise DocumentError(
            f"{path}: the PDF has no text layer (a scan?); run OCR on it or add the text"
        )
    body = sizes.most_common(1)[0][0]
    larger = sorted({s for s in sizes if s > body + 0.5}, reverse=True)
    outline, paragraph = _Outline(), []
    for text, size in lines:
        if size in larger and text.strip():
            outline.paragraph(" ".join(paragraph))
            paragraph = []
            if text.strip() != title:
                outline.heading(larger.index(size) + 1, text)
        elif not text.strip():
            outline.paragraph(" ".join(paragraph))
            paragraph = []
        else:
            paragraph.append(text.strip())
    outline.paragraph(" ".join(paragraph))
    return _passages(str(title).strip(), outline.sections)


def _page_runs(page: Any) -> list[tuple[str, float]]:
    """A PDF page's text runs in reading order, each with its rendered font size."""
    runs: list[tuple[str, float]] = []

    def visit(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        # The rendered size is the font size scaled by the text matrix.
        scale = abs(tm[3]) if tm and tm[3] else 1.0
        runs.append((text, round(size * scale, 1)))

    page.extract_text(visitor_text=visit)
    return runs


def _pdf_lines(runs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Text runs joined into lines (a run ending in a newline ends its line), each with
    its largest font size; an empty line is a paragraph break."""
    lines: list[tuple[str, float]] = []
    text, size = "", 0.0
    for chunk, chunk_size in runs:
        parts = chunk.split("\n")
        for index, part in enumerate(parts):
            if part.strip():
                text += part
                size = max(size, chunk_size)
            if index < len(parts) - 1:
                lines.append((text, size if text.strip() else 0.0))
                text, size = "", 0.0
    if text.strip():
        lines.append((text, size))
    return lines


def read_document(path: Path) -> list[Passage]:
    """The passages of one document file, by its extension."""
    kind = READABLE.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(
            f"{path}: cannot read {path.suffix or 'files without an extension'}; "
            f"add Markdown, HTML, PDF or text files ({', '.join(sorted(READABLE))})"
        )
    fallback = path.stem.replace("_", " ").replace("-", " ").strip().capitalize()
    if kind == "pdf":
        passages = parse_pdf(path, fallback)
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise DocumentError(f"{path}: not UTF-8 text; save it as UTF-8") from exc
        parse = {"markdown": parse_markdown, "html": parse_html, "text": parse_text}[kind]
        passages = parse(text, fallback)
    if not passages:
        raise DocumentError(f"{path}: no text found; is the file empty?")
    return passages
