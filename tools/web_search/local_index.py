"""The local web corpus indexed in a persistent Chroma collection.

One Chroma document per page, id = the page URL. Pages are short (a company page, a
finance fact sheet, a news item), so each is embedded whole, title first; chunking
by "## " section would return several hits for one URL and push other pages out of
the top k, for no gain on pages this size. Sync is incremental: a page is
re-embedded only when its content hash changes, pages whose files are gone are
removed, and an unreadable file is reported, never fatal (it keeps its last good
version in the index until it is fixed or deleted).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from store.web_corpus import CorpusError, WebPage, read_page
from tools.web_search.embedding import HashingEmbeddingFunction, OfflineCollection
from tools.web_search.results import WebResult, normalise_domain

if TYPE_CHECKING:
    pass

COLLECTION = "web_corpus"
# Bump when what gets embedded changes, so the next sync re-embeds every page.
INDEX_VERSION = "1"
_BATCH = 500


class SyncReport(BaseModel):
    """What one sync of the corpus into Chroma changed."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: list[str] = Field(default_factory=list)


def embedding_text(page: WebPage) -> str:
    """What gets embedded for a page: the title weighs in with the body."""
    return f"{page.title}\n\n{page.content}"


def content_hash(page: WebPage, embedding_config: dict[str, Any]) -> str:
    """A fingerprint of everything that changes a page's vector or metadata."""
    payload = f"{INDEX_VERSION}|{sorted(embedding_config.items())}|{page.model_dump_json()}"
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


def _metadata(page: WebPage, source: str, digest: str) -> dict[str, str]:
    meta = {
        "domain": normalise_domain(page.domain),
        "company": page.company,
        "kind": page.kind,
        "title": page.title,
        "source": source,
        "content_hash": digest,
    }
    # Chroma metadata cannot hold None; an absent key means "date unknown".
    if page.published_on is not None:
        meta["published_on"] = page.published_on.isoformat()
    return meta


def _where(domains: Sequence[str] | None, kinds: Sequence[str] | None) -> dict[str, Any] | None:
    clauses: list[dict[str, Any]] = []
    if domains:
        clauses.append({"domain": {"$in": sorted({normalise_domain(d) for d in domains})}})
    if kinds:
        clauses.append({"kind": {"$in": sorted(set(kinds))}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class LocalWebIndex(OfflineCollection):
    """The corpus folder mirrored into the Chroma collection "web_corpus"."""

    def __init__(
        self,
        corpus_dir: Path,
        chroma_dir: Path,
        *,
        embedding_function: HashingEmbeddingFunction | None = None,
    ) -> None:
        super().__init__(chroma_dir, COLLECTION, embedding_function=embedding_function)
        self.corpus_dir = Path(corpus_dir)

    def count(self) -> int:
        """How many pages are indexed."""
        return self.collection.count()

    def sync(self) -> SyncReport:
        """Bring the index in line with the corpus folder; see the module docstring."""
        report = SyncReport()
        if not self.corpus_dir.is_dir():
            report.errors.append(
                f"{self.corpus_dir}: corpus folder not found; create it (or set "
                "QUALIFY_CORPUS_DIR) — the index was left as it was"
            )
            return report

        collection = self.collection
        existing = collection.get(include=["metadatas"])
        indexed: dict[str, dict[str, Any]] = {
            id_: dict(meta or {})
            for id_, meta in zip(existing["ids"], existing["metadatas"] or [], strict=False)
        }

        config = self.embedding_function.get_config()
        seen: set[str] = set()
        bad_sources: set[str] = set()
        to_write: list[tuple[WebPage, dict[str, str]]] = []
        # Same layout as store.web_corpus.iter_pages, walked here so each page's file
        # is known: a file that turns unreadable keeps its last good entry.
        for path in sorted(self.corpus_dir.glob("*/*.md")):
            source = path.relative_to(self.corpus_dir).as_posix()
            try:
                page = read_page(path)
            except (CorpusError, OSError, UnicodeDecodeError) as exc:
                report.errors.append(f"{exc}" if isinstance(exc, CorpusError) else f"{path}: {exc}")
                bad_sources.add(source)
                continue
            if page.url in seen:
                report.errors.append(
                    f"{path}: url {page.url} is already used by another file; "
                    "give each page its own url"
                )
                continue
            seen.add(page.url)
            digest = content_hash(page, config)
            old = indexed.get(page.url)
            if old and old.get("content_hash") == digest and old.get("source") == source:
                report.unchanged += 1
                continue
            if old is None:
                report.added += 1
            else:
                report.updated += 1
            to_write.append((page, _metadata(page, source, digest)))

        for start in range(0, len(to_write), _BATCH):
            batch = to_write[start : start + _BATCH]
            pages = [page for page, _ in batch]
            collection.upsert(
                ids=[page.url for page in pages],
                embeddings=self.embedding_function([embedding_text(p) for p in pages]),
                documents=[page.content for page in pages],
                metadatas=[meta for _, meta in batch],
            )

        gone = [
            id_
            for id_, meta in indexed.items()
            if id_ not in seen and meta.get("source") not in bad_sources
        ]
        for start in range(0, len(gone), _BATCH):
            collection.delete(ids=gone[start : start + _BATCH])
        report.removed = len(gone)
        return report

    def query(
        self,
        text: str,
        *,
        domains: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        k: int = 5,
    ) -> list[WebResult]:
        """The `k` pages closest to `text`, optionally only these domains and kinds."""
        if k <= 0 or not text.strip():
            return []
        collection = self.collection
        query_vector = self.embedding_function([text])
        if not query_vector[0].any():
            return []  # only stop words: every page would tie at distance 1
        found = collection.query(
            query_embeddings=query_vector,
            n_results=k,
            where=_where(domains, kinds),
            include=["documents", "metadatas", "distances"],
        )
        results: list[WebResult] = []
        for url, document, meta, distance in zip(
            found["ids"][0],
            (found["documents"] or [[]])[0],
            (found["metadatas"] or [[]])[0],
            (found["distances"] or [[]])[0],
            strict=False,
        ):
            meta = meta or {}
            published_on = meta.get("published_on")
            results.append(
                WebResult(
                    title=str(meta.get("title", url)),
                    url=url,
                    content=document or "",
                    date=str(published_on) if published_on else None,
                    # Tavily scores lie in [0, 1]; keep local scores on that scale.
                    score=round(min(1.0, max(0.0, 1.0 - float(distance))), 4),
                )
            )
        return results
