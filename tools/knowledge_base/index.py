"""Product knowledge sources indexed in Chroma, one entry per passage, per product.

A source is a document the admin added (`qualify knowledge add`) or the product's FAQ;
its passages share the source's id (`<file>-<hash>`, `faq-<product>`), its title and
kind, and each keeps its heading path for the citation. Adding a file again replaces its
passages. Vectors come from the offline hashing embedding the web index uses (no model,
no download), registered with Chroma so a reopened collection rebuilds it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.knowledge_base.passages import Passage, read_document
from tools.knowledge_base.sources import KnowledgeHit, KnowledgeSource, SourceKind
from tools.tool_trace import recorded_tool
from tools.web_search.embedding import HashingEmbeddingFunction, OfflineCollection

if TYPE_CHECKING:
    pass

COLLECTION = "knowledge_sources"
_SEP = "\x1f"  # Chroma metadata holds no lists: the heading path is joined with this.
_BATCH = 500


def source_id_for(path: Path, product: str) -> str:
    """A short stable id for a file of a product: its name and a hash of where it is."""
    digest = hashlib.blake2b(f"{product}|{path.resolve()}".encode(), digest_size=3).hexdigest()
    stem = "".join(c if c.isalnum() else "-" for c in path.stem.lower()).strip("-")[:32]
    return f"{stem or 'document'}-{digest}"


def embedding_text(passage: Passage) -> str:
    """What gets embedded: the citation (title and headings) weighs in with the text."""
    return f"{passage.citation}\n\n{passage.text}"


class KnowledgeBase(OfflineCollection):
    """The Chroma collection "knowledge_sources" in the run's Chroma folder."""

    def __init__(
        self, chroma_dir: Path, *, embedding_function: HashingEmbeddingFunction | None = None
    ) -> None:
        super().__init__(chroma_dir, COLLECTION, embedding_function=embedding_function)

    def add_file(self, path: Path, product: str, kind: SourceKind = "document") -> KnowledgeSource:
        """Index a document file for `product` (replacing an earlier version of the file);
        `DocumentError` if it cannot be read, and then nothing indexed changes."""
        passages = read_document(path)
        return self.replace_source(
            source_id_for(path, product),
            product,
            passages,
            kind=kind,
            path=str(path.resolve()),
        )

    def replace_source(
        self,
        source_id: str,
        product: str,
        passages: Sequence[Passage],
        *,
        kind: SourceKind,
        path: str = "",
        digest: str = "",
    ) -> KnowledgeSource:
        """Put `passages` in place of the source's old ones (unchanged `digest`: kept)."""
        old = self.collection.get(where={"source_id": source_id}, include=["metadatas"])
        metas = old["metadatas"] or []
        if digest and metas and all((m or {}).get("digest") == digest for m in metas):
            return self._source_of(metas)  # type: ignore[arg-type]
        added_on = datetime.now(UTC).isoformat()
        ids = [f"{source_id}#{n}" for n in range(len(passages))]
        records = [
            {
                "source_id": source_id,
                "product": product,
                "kind": kind,
                "title": p.title,
                "headings": _SEP.join(p.headings),
                "path": path,
                "position": n,
                "added_on": added_on,
                "digest": digest,
            }
            for n, p in enumerate(passages)
        ]
        for start in range(0, len(ids), _BATCH):
            chunk = slice(start, start + _BATCH)
            self.collection.upsert(
                ids=ids[chunk],
                embeddings=self.embedding_function([embedding_text(p) for p in passages[chunk]]),
                documents=[p.text for p in passages[chunk]],
                metadatas=records[chunk],  # type: ignore[arg-type]
            )
        stale = [id_ for id_ in old["ids"] if id_ not in set(ids)]
        if stale:
            self.collection.delete(ids=stale)
        return self._source_of(records)

    @staticmethod
    def _source_of(metas: Sequence[dict[str, Any]]) -> KnowledgeSource:
        first = metas[0]
        return KnowledgeSource(
            id=str(first["source_id"]),
            product=str(first["product"]),
            title=str(first["title"]),
            kind=first["kind"],
            path=str(first.get("path") or ""),
            passages=len(metas),
            added_on=datetime.fromisoformat(str(first["added_on"])),
        )

    def sources(self, product: str | None = None) -> list[KnowledgeSource]:
        """The indexed sources (of one product, if given), by product then title."""
        found = self.collection.get(
            where={"product": product} if product else None, include=["metadatas"]
        )
        by_source: dict[str, list[dict[str, Any]]] = {}
        for meta in found["metadatas"] or []:
            by_source.setdefault(str(meta["source_id"]), []).append(dict(meta))
        listed = [self._source_of(metas) for metas in by_source.values()]
        return sorted(listed, key=lambda s: (s.product, s.kind != "faq", s.title.lower(), s.id))

    def remove(self, source_id: str) -> int:
        """Remove a source's passages; how many there were (0: no such source)."""
        found = self.collection.get(where={"source_id": source_id}, include=[])
        if found["ids"]:
            self.collection.delete(ids=found["ids"])
        return len(found["ids"])

    @recorded_tool("knowledge_search")
    def search(
        self, question: str, product: str, k: int = 5, *, documents_only: bool = False
    ) -> list[KnowledgeHit]:
        """The `k` passages of `product`'s sources closest to `question`, best first (with
        `documents_only`, not the FAQ's)."""
        if k <= 0 or not question.strip():
            return []
        vector = self.embedding_function([question])
        if not vector[0].any():
            return []  # only stop words: every passage would tie
        found = self.collection.query(
            query_embeddings=vector,
            n_results=k,
            where={"$and": [{"product": product}, {"kind": {"$ne": "faq"}}]}
            if documents_only
            else {"product": product},
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for document, meta, distance in zip(
            (found["documents"] or [[]])[0],
            (found["metadatas"] or [[]])[0],
            (found["distances"] or [[]])[0],
            strict=False,
        ):
            meta = meta or {}
            headings = str(meta.get("headings") or "")
            hits.append(
                KnowledgeHit(
                    source_id=str(meta.get("source_id", "")),
                    kind=meta.get("kind", "document"),  # type: ignore[arg-type]
                    title=str(meta.get("title", "")),
                    headings=headings.split(_SEP) if headings else [],
                    text=document or "",
                    score=round(min(1.0, max(0.0, 1.0 - float(distance))), 4),
                )
            )
        return hits
