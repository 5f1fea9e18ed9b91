"""The offline hashing embedding function: quality, determinism, Chroma round trip."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tools.web_search.embedding import HashingEmbeddingFunction, embed_text, words

ROOT = Path(__file__).resolve().parents[1]


def cosine(a: str, b: str) -> float:
    return float(np.dot(embed_text(a), embed_text(b)))


def test_vectors_are_unit_length_and_sized() -> None:
    ef = HashingEmbeddingFunction(dimension=256)
    [vector] = ef(["Contoso sells cloud software to hospitals"])
    assert len(vector) == 256
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)


def test_related_texts_score_higher_than_unrelated() -> None:
    query = "financial results and annual revenue"
    related = "Contoso financial results: revenue grew 12% to $4.1 billion in fiscal 2024"
    unrelated = "The team opened a new engineering office in Berlin last spring"
    assert cosine(query, related) > cosine(query, unrelated) + 0.2
    # Character n-grams link inflections that share no whole word.
    assert cosine("revenues", "revenue") > cosine("revenues", "hospital")


def test_stop_words_and_accents_are_normalised() -> None:
    assert words("The Café of the Année") == ["cafe", "annee"]
    assert not embed_text("the of and").any()


def test_rejects_a_tiny_dimension() -> None:
    with pytest.raises(ValueError, match="dimension=4"):
        HashingEmbeddingFunction(dimension=4)


def test_config_round_trip() -> None:
    ef = HashingEmbeddingFunction(dimension=128)
    rebuilt = HashingEmbeddingFunction.build_from_config(ef.get_config())
    assert rebuilt.dimension == 128
    assert HashingEmbeddingFunction.name() == "qualify-hashing"
    assert not ef.is_legacy()


def test_thousand_short_texts_embed_quickly() -> None:
    ef = HashingEmbeddingFunction()
    texts = [f"Lead {i} from Fabrikam asked about pricing for {i % 7} seats" for i in range(1000)]
    started = time.perf_counter()
    vectors = ef(texts)
    print(f"\nembedded 1,000 short texts in {(time.perf_counter() - started) * 1000:.0f} ms")
    assert len(vectors) == 1000


_CHILD = """
import json, sys
import chromadb
from chromadb.config import Settings
import tools.web_search.embedding as emb

client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
# No embedding_function passed: Chroma must rebuild ours from the persisted config.
collection = client.get_collection("probe")
ef = collection.configuration["embedding_function"]
found = collection.query(query_texts=["annual revenue results"], n_results=3)
print(json.dumps({
    "ef": type(ef).__name__,
    "dimension": ef.dimension,
    "ids": found["ids"][0],
    "vector": [float(x) for x in emb.embed_text(sys.argv[2], 64)],
}))
"""


def test_same_vectors_in_another_process_and_after_reopen(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings

    ef = HashingEmbeddingFunction(dimension=64)
    client = chromadb.PersistentClient(
        path=str(tmp_path), settings=Settings(anonymized_telemetry=False)
    )
    collection = client.create_collection(
        "probe", embedding_function=ef, configuration={"hnsw": {"space": "cosine"}}
    )
    collection.add(
        ids=["finance", "office", "product"],
        documents=[
            "Annual results: revenue rose 9% to $2.3 billion",
            "A new office opened in Lisbon",
            "The product line adds a mobile app for nurses",
        ],
    )
    text = "Northwind Traders quarterly revenue"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path), text],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    child = json.loads(done.stdout.strip().splitlines()[-1])
    assert child["ef"] == "HashingEmbeddingFunction"
    assert child["dimension"] == 64
    assert child["ids"][0] == "finance"
    np.testing.assert_allclose(child["vector"], embed_text(text, 64), atol=1e-6)
