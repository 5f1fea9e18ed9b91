"""Web search over the local corpus folder, indexed in Chroma: works offline."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from tools.tool_trace import recorded_tool
from tools.web_search.results import (
    Topic,
    WebResult,
    WebSearchError,
    clamp_results,
    clean_domains,
)

if TYPE_CHECKING:
    from tools.web_search.local_index import LocalWebIndex, SyncReport

logger = logging.getLogger(__name__)

_TOPIC_KINDS: dict[str, list[str] | None] = {
    "general": None,
    "news": ["news"],
    "finance": ["finance"],
}


class LocalCorpusSearch:
    """Search over the local web corpus indexed in Chroma; works offline."""

    name = "local corpus"

    def __init__(self, corpus_dir: Path, chroma_dir: Path) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.chroma_dir = Path(chroma_dir)
        self._index: LocalWebIndex | None = None
        self._checked_empty = False
        # Re-entrant: the first search holds it while it builds the index and syncs.
        self._lock = threading.RLock()

    @property
    def index(self) -> LocalWebIndex:
        """The Chroma-backed index, built on first use (importing chromadb is slow)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from tools.web_search.local_index import LocalWebIndex

                    self._index = LocalWebIndex(self.corpus_dir, self.chroma_dir)
        return self._index

    def sync(self) -> SyncReport:
        """Index new and changed pages of the corpus folder, drop deleted ones."""
        report = self.index.sync()
        for error in report.errors:
            logger.warning("web corpus: %s", error)
        return report

    def _sync_if_empty(self) -> None:
        if self._checked_empty:
            return
        with self._lock:
            if not self._checked_empty:
                if self.index.count() == 0:
                    self.sync()
                self._checked_empty = True

    @recorded_tool("web.local_corpus")
    def search(
        self,
        query: str,
        *,
        include_domains: list[str] | None = None,
        max_results: int = 5,
        topic: Topic | None = None,
    ) -> list[WebResult]:
        """The corpus pages closest to `query`; `topic` narrows to news or finance pages."""
        if topic is not None and topic not in _TOPIC_KINDS:
            raise WebSearchError(
                self.name, query, f"unknown topic {topic!r}", "use general, news or finance"
            )
        try:
            self._sync_if_empty()
            return self.index.query(
                query,
                domains=clean_domains(include_domains),
                kinds=_TOPIC_KINDS[topic or "general"],
                k=clamp_results(max_results),
            )
        except WebSearchError:
            raise
        except Exception as exc:  # Chroma raises many types; keep the cause, name the fix
            raise WebSearchError(
                self.name,
                query,
                f"{type(exc).__name__}: {exc}",
                f"check the Chroma folder {self.chroma_dir} (delete it to rebuild the index "
                f"from {self.corpus_dir})",
            ) from exc
