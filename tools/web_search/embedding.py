"""An offline embedding function for Chroma: feature hashing, no model, no download.

Chroma's default embedding function downloads a model on first use and fails offline,
so the local web corpus is embedded lexically instead: normalised word unigrams and
bigrams plus character 3- and 4-grams of each word (which catch "revenue"/"revenues"
and small typos), hashed with a stable hash into a fixed number of buckets, weighted
by sublinear term frequency and L2-normalised. Related texts share words and get a
higher cosine; it is not semantic (no synonyms), which is enough for company pages
that name the company, its products and its figures.

The class is registered with Chroma, so a reopened collection rebuilds it from the
persisted config (`name()` + `get_config()`). `OfflineCollection` is a persistent Chroma
collection that uses it, opened on first use: the web index and the knowledge sources.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
import zlib
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.config import Settings
from chromadb.utils.embedding_functions import register_embedding_function

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

DEFAULT_DIMENSION = 512

# Words too common to say anything about a page; dropping them keeps the cosine of
# unrelated texts near zero instead of inflated by "the", "of" and "and".
# fmt: off
STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did",
    "do", "does", "for", "from", "had", "has", "have", "he", "her", "his", "how", "i", "if",
    "in", "into", "is", "it", "its", "me", "my", "no", "nor", "not", "of", "on", "or", "our",
    "out", "she", "so", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "to", "too", "up", "us", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you",
    "your", "about", "after", "all", "also", "any", "before", "being", "between", "both",
    "each", "few", "more", "most", "other", "over", "own", "same", "some", "through", "under",
    "until", "very"
})
# fmt: on

_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")

# Relative weight of each feature family once each family is normalised on its own:
# whole words carry the meaning, bigrams reward phrases, character n-grams forgive
# inflections. The character block has many features per word, so without its own
# normalisation it would drown the words.
_WEIGHTS = {"word": 1.0, "bigram": 0.5, "char": 0.6}


def normalise(text: str) -> str:
    """Lowercase, strip accents and fold compatibility characters."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The content words of a text, in order, stop words removed."""
    return [w for w in _WORD.findall(normalise(text)) if w not in STOP_WORDS]


@lru_cache(maxsize=200_000)
def _bucket(feature: str, dimension: int) -> tuple[int, float]:
    """Stable bucket and sign of a feature (crc32, identical in every process)."""
    h = zlib.crc32(feature.encode("utf-8"))
    # The sign bit comes from the top of the hash, the bucket from the rest, so two
    # features that collide cancel out on average instead of adding up.
    sign = 1.0 if h & 0x8000_0000 else -1.0
    return (h & 0x7FFF_FFFF) % dimension, sign


def _char_grams(word: str) -> Iterable[str]:
    padded = f"<{word}>"
    for n in (3, 4):
        for i in range(len(padded) - n + 1):
            yield padded[i : i + n]


def _block(features: Iterable[str], prefix: str, dimension: int) -> np.ndarray:
    counts: dict[str, int] = {}
    for feature in features:
        counts[feature] = counts.get(feature, 0) + 1
    vector = np.zeros(dimension, dtype=np.float32)
    for feature, count in counts.items():
        index, sign = _bucket(prefix + feature, dimension)
        vector[index] += sign * (1.0 + math.log(count))
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def embed_text(text: str, dimension: int = DEFAULT_DIMENSION) -> np.ndarray:
    """The L2-normalised hashed feature vector of one text (all zeros if it has no words)."""
    tokens = words(text)
    vector = _WEIGHTS["word"] * _block(tokens, "w:", dimension)
    vector += _WEIGHTS["bigram"] * _block(
        (f"{a} {b}" for a, b in pairwise(tokens)), "b:", dimension
    )
    vector += _WEIGHTS["char"] * _block(
        (gram for token in tokens for gram in _char_grams(token)), "c:", dimension
    )
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


@register_embedding_function
class HashingEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function over hashed word and character n-grams; works offline."""

    def __init__(self, dimension: int = DEFAULT_DIMENSION) -> None:
        if dimension < 16:
            raise ValueError(f"dimension={dimension}: use at least 16 buckets (default 512)")
        self.dimension = dimension

    def __call__(self, input: Documents) -> Embeddings:
        return [embed_text(text, self.dimension) for text in input]

    @staticmethod
    def name() -> str:
        return "qualify-hashing"

    def get_config(self) -> dict[str, Any]:
        return {"dimension": self.dimension}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbeddingFunction:
        return HashingEmbeddingFunction(dimension=int(config.get("dimension", DEFAULT_DIMENSION)))

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        dimension = config.get("dimension", DEFAULT_DIMENSION)
        if not isinstance(dimension, int) or dimension < 16:
            raise ValueError(f"dimension={dimension!r}: must be an integer of at least 16")

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        # Vectors of another size cannot live in the same index.
        if old_config.get("dimension") != new_config.get("dimension"):
            raise ValueError(
                "the embedding dimension of an existing collection cannot change; "
                "delete the Chroma folder and re-sync the corpus"
            )

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]


class OfflineCollection:
    """A persistent Chroma collection embedded with `HashingEmbeddingFunction`, opened (or
    created) on first use and shared by the threads of a run."""

    def __init__(
        self,
        chroma_dir: Path,
        name: str,
        *,
        embedding_function: HashingEmbeddingFunction | None = None,
    ) -> None:
        self.chroma_dir = Path(chroma_dir)
        self.collection_name = name
        self.embedding_function = embedding_function or HashingEmbeddingFunction()
        self._client: ClientAPI | None = None
        self._collection: Collection | None = None
        self._lock = threading.Lock()

    @property
    def collection(self) -> Collection:
        """The collection, opened on first use and reused."""
        if self._collection is None:
            with self._lock:
                if self._collection is None:
                    self.chroma_dir.mkdir(parents=True, exist_ok=True)
                    self._client = chromadb.PersistentClient(
                        path=str(self.chroma_dir), settings=Settings(anonymized_telemetry=False)
                    )
                    # The function is passed explicitly (Chroma's default downloads a
                    # model) and on reopen too: the persisted config alone needs this
                    # module imported.
                    self._collection = self._client.get_or_create_collection(
                        self.collection_name,
                        embedding_function=self.embedding_function,
                        configuration={"hnsw": {"space": "cosine"}},
                    )
        return self._collection
