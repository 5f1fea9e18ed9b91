"""The local web corpus: company pages, finance facts and news as Markdown files.

Layout: `<corpus>/<domain>/<slug>.md`, each file a YAML front matter block
(url, title, kind, company, domain, published_on) and a Markdown body. It stands in
for the web when no Tavily key is set, and is what the sample generator writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ValidationError

PageKind = Literal["company", "finance", "news"]


class WebPage(BaseModel):
    """One page of the local corpus."""

    url: str
    title: str
    kind: PageKind
    company: str
    domain: str
    published_on: date | None = None
    content: str


class CorpusError(ValueError):
    """A corpus file that cannot be read; names the file and the fix."""


def page_path(corpus_dir: Path, page: WebPage) -> Path:
    """Where a page lives in the corpus folder."""
    slug = page.url.rstrip("/").rsplit("/", 1)[-1] or "index"
    return corpus_dir / page.domain / f"{slug}.md"


def write_page(corpus_dir: Path, page: WebPage) -> Path:
    """Write one page; returns its path."""
    path = page_path(corpus_dir, page)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = page.model_dump(mode="json", exclude={"content"}, exclude_none=True)
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    path.write_text(f"---\n{front}---\n{page.content.strip()}\n", encoding="utf-8")
    return path


def read_page(path: Path) -> WebPage:
    """Read one page file, or raise `CorpusError` saying what is wrong with it."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[4:]:
        raise CorpusError(f"{path}: missing the '---' front matter block at the top")
    front, body = text[4:].split("\n---\n", 1)
    try:
        meta = yaml.safe_load(front) or {}
        return WebPage(**meta, content=body.strip())
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise CorpusError(f"{path}: bad front matter: {exc}") from exc


def iter_pages(corpus_dir: Path) -> Iterator[WebPage | CorpusError]:
    """Every page in the corpus, in a stable order; unreadable files come as errors."""
    for path in sorted(corpus_dir.glob("*/*.md")):
        try:
            yield read_page(path)
        except CorpusError as exc:
            yield exc
