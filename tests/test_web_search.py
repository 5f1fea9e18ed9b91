"""Web search: the local corpus in Chroma, and Tavily against a local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from langchain_core.rate_limiters import BaseRateLimiter

from core.request_pacers import rate_limiter_for
from core.settings import Settings
from store.web_corpus import WebPage, page_path, write_page
from tools.web_search.local_corpus import LocalCorpusSearch
from tools.web_search.provider import make_web_search
from tools.web_search.results import (
    WebResult,
    WebSearch,
    WebSearchError,
    iso_date,
    normalise_domain,
)
from tools.web_search.tavily import TavilySearch

COMPANIES = {
    "contoso.com": ("Contoso", "cloud software for hospitals and clinics", "4.1 billion"),
    "fabrikam.com": ("Fabrikam", "industrial robots for car factories", "880 million"),
    "northwind.com": (
        "Northwind Traders",
        "wholesale food distribution to restaurants",
        "2.3 billion",
    ),
}


def corpus_pages() -> list[WebPage]:
    pages: list[WebPage] = []
    for domain, (company, business, revenue) in COMPANIES.items():
        pages += [
            WebPage(
                url=f"https://{domain}/about",
                title=f"About {company}",
                kind="company",
                company=company,
                domain=domain,
                content=f"# {company}\n\n{company} makes {business}. Founded in 1998, "
                "it employs people on three continents.\n\n## Leadership\n\nA board of seven.",
            ),
            WebPage(
                url=f"https://{domain}/investors/results-2024",
                title=f"{company} financial results 2024",
                kind="finance",
                company=company,
                domain=domain,
                published_on=date(2025, 2, 10),
                content=f"Annual financial results: revenue of ${revenue} in fiscal 2024, "
                "operating margin 14%, net income up 6%.",
            ),
            WebPage(
                url=f"https://{domain}/news/new-ceo",
                title=f"{company} names a new chief executive",
                kind="news",
                company=company,
                domain=domain,
                published_on=date(2025, 9, 1),
                content=f"{company} appointed a new CEO who plans to expand into Asia.",
            ),
        ]
    return pages


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    corpus_dir = tmp_path / "web"
    for page in corpus_pages():
        write_page(corpus_dir, page)
    return corpus_dir


@pytest.fixture()
def search(corpus: Path, tmp_path: Path) -> LocalCorpusSearch:
    return LocalCorpusSearch(corpus, tmp_path / "chroma")


# --- local corpus -----------------------------------------------------------------------


def test_first_search_indexes_the_corpus(search: LocalCorpusSearch) -> None:
    assert isinstance(search, WebSearch)
    started = time.perf_counter()
    hits = search.search("Contoso hospitals software", max_results=3)
    print(f"\nfirst search (sync of 9 pages included): {(time.perf_counter() - started):.3f} s")
    assert search.index.count() == 9
    assert hits[0].url == "https://contoso.com/about"
    assert 0.0 < hits[0].score <= 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_domain_filter_and_ranking(search: LocalCorpusSearch) -> None:
    search.sync()
    started = time.perf_counter()
    hits = search.search("financial results revenue", include_domains=["fabrikam.com"])
    print(f"\nquery: {(time.perf_counter() - started) * 1000:.1f} ms")
    assert {h.url.split("/")[2] for h in hits} == {"fabrikam.com"}
    assert len(hits) == 3
    assert hits[0].url == "https://fabrikam.com/investors/results-2024"
    assert hits[0].date == "2025-02-10"
    assert "880 million" in hits[0].content
    assert hits[0].title == "Fabrikam financial results 2024"


def test_domain_filter_accepts_urls_and_several_domains(search: LocalCorpusSearch) -> None:
    hits = search.search(
        "new chief executive", include_domains=["https://www.Contoso.com/", "northwind.com"]
    )
    assert {h.url.split("/")[2] for h in hits} == {"contoso.com", "northwind.com"}
    assert hits[0].url.endswith("/news/new-ceo")
    assert search.search("anything", include_domains=["unknown.example"]) == []


def test_topic_narrows_to_page_kind(search: LocalCorpusSearch) -> None:
    news = search.search("Contoso", topic="news", max_results=10)
    assert news and all("/news/" in h.url for h in news)
    finance = search.search("Contoso", topic="finance", max_results=10)
    assert len(finance) == 3 and all("/investors/" in h.url for h in finance)
    assert len(search.search("Contoso", topic="general", max_results=10)) == 9
    with pytest.raises(WebSearchError, match="unknown topic"):
        search.search("Contoso", topic="sports")  # type: ignore[arg-type]


def test_empty_or_stop_word_queries_return_nothing(search: LocalCorpusSearch) -> None:
    assert search.search("   ") == []
    assert search.search("the of and") == []


def test_incremental_sync(search: LocalCorpusSearch, corpus: Path) -> None:
    first = search.sync()
    assert (first.added, first.updated, first.removed, first.errors) == (9, 0, 0, [])
    again = search.sync()
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 9)

    edited = corpus_pages()[0].model_copy(
        update={"content": "Contoso now also sells telescopes for observatories."}
    )
    write_page(corpus, edited)
    report = search.sync()
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert search.search("telescopes observatories")[0].url == "https://contoso.com/about"

    page_path(corpus, corpus_pages()[-1]).unlink()
    report = search.sync()
    assert (report.added, report.updated, report.removed) == (0, 0, 1)
    assert search.index.count() == 8

    extra = WebPage(
        url="https://fabrikam.com/news/plant",
        title="Fabrikam opens a plant",
        kind="news",
        company="Fabrikam",
        domain="fabrikam.com",
        content="A new robot plant in Ohio.",
    )
    write_page(corpus, extra)
    (corpus / "fabrikam.com" / "broken.md").write_text("no front matter here", encoding="utf-8")
    report = search.sync()
    assert (report.added, report.updated, report.removed) == (1, 0, 0)
    assert len(report.errors) == 1 and "broken.md" in report.errors[0]
    assert "front matter" in report.errors[0]
    assert search.search("robot plant Ohio")[0].url == "https://fabrikam.com/news/plant"
    assert search.search("robot plant Ohio")[0].date is None


def test_a_file_that_turns_unreadable_keeps_its_last_good_version(
    search: LocalCorpusSearch, corpus: Path
) -> None:
    search.sync()
    path = page_path(corpus, corpus_pages()[1])
    path.write_text("---\nurl: [unclosed\n---\nbody\n", encoding="utf-8")
    report = search.sync()
    assert report.removed == 0 and len(report.errors) == 1 and str(path) in report.errors[0]
    assert search.index.count() == 9
    path.unlink()
    assert search.sync().removed == 1


def test_missing_corpus_folder_is_reported_and_index_kept(tmp_path: Path, corpus: Path) -> None:
    LocalCorpusSearch(corpus, tmp_path / "chroma").sync()
    elsewhere = LocalCorpusSearch(tmp_path / "nowhere", tmp_path / "chroma")
    report = elsewhere.sync()
    assert report.removed == 0 and "corpus folder not found" in report.errors[0]
    assert elsewhere.index.count() == 9


def test_reopen_from_disk(search: LocalCorpusSearch, corpus: Path, tmp_path: Path) -> None:
    search.sync()
    reopened = LocalCorpusSearch(corpus, tmp_path / "chroma")
    hits = reopened.search("wholesale food restaurants", max_results=1)
    assert hits[0].url == "https://northwind.com/about"
    assert reopened.sync().unchanged == 9


# --- helpers ----------------------------------------------------------------------------


def test_normalise_domain_and_iso_date() -> None:
    assert normalise_domain("https://www.Acme.com:443/about") == "acme.com"
    assert normalise_domain(" acme.com ") == "acme.com"
    assert iso_date("2025-03-04T10:00:00Z") == "2025-03-04"
    assert iso_date("Tue, 04 Mar 2025 10:00:00 GMT") == "2025-03-04"
    assert iso_date("last week") is None
    assert iso_date(None) is None


def test_make_web_search_picks_the_provider(tmp_path: Path, monkeypatch) -> None:
    for name in ("TAVILY_API_KEY", "QUALIFY_TAVILY_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    local = make_web_search(Settings(_env_file=None, home=tmp_path))
    assert isinstance(local, LocalCorpusSearch)
    assert local.corpus_dir == tmp_path / "web" and local.chroma_dir == tmp_path / "chroma"
    remote = make_web_search(
        Settings(_env_file=None, home=tmp_path, tavily_api_key="tvly-x", tavily_timeout_s=3)
    )
    assert isinstance(remote, TavilySearch) and remote.timeout_s == 3
    assert remote.rate_limiter is None
    paced = make_web_search(
        Settings(
            _env_file=None, home=tmp_path, tavily_api_key="tvly-x", search_requests_per_minute=90
        )
    )
    assert isinstance(paced, TavilySearch)
    assert paced.rate_limiter is rate_limiter_for("tavily", 90)  # one per process


# --- Tavily against a local server --------------------------------------------------------


class FakeTavily(BaseHTTPRequestHandler):
    """Speaks Tavily's POST /search; the test sets the status and body to answer with."""

    status: ClassVar[int] = 200
    body: ClassVar[dict[str, Any]] = {}
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        FakeTavily.requests.append(
            {
                "path": self.path,
                "auth": self.headers.get("Authorization"),
                "json": json.loads(self.rfile.read(length)),
            }
        )
        payload = json.dumps(FakeTavily.body).encode()
        self.send_response(FakeTavily.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture()
def tavily_url(monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("TAVILY_HTTP_PROXY", raising=False)
    monkeypatch.delenv("TAVILY_HTTPS_PROXY", raising=False)
    FakeTavily.status, FakeTavily.body, FakeTavily.requests = 200, {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTavily)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_tavily_results_are_mapped(tavily_url: str) -> None:
    FakeTavily.body = {
        "query": "contoso revenue",
        "answer": None,
        "images": [],
        "results": [
            {
                "title": "Contoso results",
                "url": "https://contoso.com/results",
                "content": "Revenue of $4.1 billion.",
                "score": 0.91,
                "raw_content": None,
                "published_date": "Mon, 10 Feb 2025 08:00:00 GMT",
            },
            {"title": "", "url": "https://news.example/contoso", "content": "", "score": 0.4},
            {"title": "no url", "content": "skipped"},
        ],
        "response_time": 0.5,
    }
    tavily = TavilySearch("tvly-test", timeout_s=5, api_base_url=tavily_url)
    assert isinstance(tavily, WebSearch)
    hits = tavily.search(
        "contoso revenue", include_domains=["www.contoso.com"], max_results=50, topic="finance"
    )
    assert hits == [
        WebResult(
            title="Contoso results",
            url="https://contoso.com/results",
            content="Revenue of $4.1 billion.",
            date="2025-02-10",
            score=0.91,
        ),
        WebResult(
            title="https://news.example/contoso",
            url="https://news.example/contoso",
            content="",
            date=None,
            score=0.4,
        ),
    ]
    [sent] = FakeTavily.requests
    assert sent["path"] == "/search"
    assert sent["auth"] == "Bearer tvly-test"
    assert sent["json"]["query"] == "contoso revenue"
    assert sent["json"]["include_domains"] == ["contoso.com"]
    assert sent["json"]["max_results"] == 20
    assert sent["json"]["topic"] == "finance"


def test_each_tavily_request_waits_for_the_pacer(tavily_url: str) -> None:
    FakeTavily.status, FakeTavily.body = 200, {"results": [], "response_time": 0.1}

    class CountingPacer(BaseRateLimiter):
        acquired = 0

        def acquire(self, *, blocking: bool = True) -> bool:
            CountingPacer.acquired += 1
            return True

        async def aacquire(self, *, blocking: bool = True) -> bool:
            return self.acquire(blocking=blocking)

    tavily = TavilySearch("tvly-test", api_base_url=tavily_url, rate_limiter=CountingPacer())
    for query in ("acme", "acme news", "acme revenue"):
        tavily.search(query)
    assert CountingPacer.acquired == 3
    assert len(FakeTavily.requests) >= 3


def test_tavily_http_500_becomes_web_search_error(tavily_url: str) -> None:
    FakeTavily.status, FakeTavily.body = 500, {"detail": {"error": "boom"}}
    tavily = TavilySearch("tvly-test", api_base_url=tavily_url)
    with pytest.raises(WebSearchError, match=r"Tavily search failed for query 'acme'") as info:
        tavily.search("acme")
    assert "500" in str(info.value) and "Fix:" in str(info.value)
    assert info.value.provider == "Tavily"


def test_tavily_bad_key_names_the_fix(tavily_url: str) -> None:
    FakeTavily.status, FakeTavily.body = 401, {"detail": {"error": "Unauthorized"}}
    with pytest.raises(WebSearchError, match="check TAVILY_API_KEY"):
        TavilySearch("tvly-wrong", api_base_url=tavily_url).search("acme")


def test_tavily_connection_refused_becomes_web_search_error(monkeypatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tavily = TavilySearch("tvly-test", timeout_s=2, api_base_url=f"http://127.0.0.1:{port}")
    with pytest.raises(WebSearchError, match=r"Tavily search failed.*ConnectionError"):
        tavily.search("acme")


def test_tavily_refuses_an_empty_key() -> None:
    with pytest.raises(ValueError, match="TAVILY_API_KEY"):
        TavilySearch("  ")
