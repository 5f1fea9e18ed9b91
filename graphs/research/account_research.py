"""Web research on a company, shared by all its leads through a stored cache."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urlparse

from core.clock import as_utc, utc_now
from core.company_names import company_key
from core.findings import AccountDigest, SourcePassage
from graphs.reasoning.base import ReasoningEngine
from graphs.reasoning.offline import SENTENCE_BREAK
from graphs.reply_reader.injection import injected_text
from store.agent_records import AccountResearch
from store.db import session_scope, upsert
from tools.web_search.results import WebResult, WebSearch

# One query per section of the insights page; the local corpus and Tavily both rank by them.
_QUERIES = (
    ("general", "{name} company overview products services mission employees headquarters"),
    ("finance", "{name} annual revenue financial results growth"),
    ("news", "{name} news announcement launch appoints contract award"),
)


def research_key(account_id: str | None, domain: str | None, name: str | None) -> str | None:
    """The cache key for a company: its account, else its domain, else its name."""
    if account_id:
        return f"account:{account_id}"
    if domain:
        return f"domain:{domain.lower()}"
    if name and company_key(name):
        return f"name:{company_key(name)}"
    return None


def belongs_to(page: WebResult, name: str, domain: str | None) -> bool:
    """Whether a page is verifiably about this company, not a look-alike.

    It is when it sits on the company's own domain, or when its title or text names the
    company (legal forms aside: "Kinnam Plus GmbH" is named by "Kinnam Plus"). A search by
    name alone returns the nearest pages, which may be another company's.
    """
    host = (urlparse(page.url).hostname or "").lower()
    if domain and (host == domain.lower() or host.endswith("." + domain.lower())):
        return True
    key = company_key(name)
    if not key:
        return False
    text = company_key(f"{page.title} {page.content}")
    return re.search(rf"(?<!\w){re.escape(key)}(?!\w)", text) is not None


def gather_pages(web: WebSearch, name: str, domain: str | None) -> list[WebResult]:
    """Search the web about a company: only pages that belong to it, by URL, best first."""
    pages: dict[str, WebResult] = {}
    domains = [domain] if domain else None
    for topic, template in _QUERIES:
        for hit in web.search(
            template.format(name=name), include_domains=domains, max_results=4, topic=topic
        ):
            if not belongs_to(hit, name, domain):
                continue
            if hit.url not in pages or hit.score > pages[hit.url].score:
                pages[hit.url] = hit
    return sorted(pages.values(), key=lambda hit: -hit.score)


MAX_PASSAGES = 120
"""Sentences kept per company: enough for a few pages, bounded for the checkpoints."""
_LINE_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def page_passages(pages: list[WebResult]) -> list[SourcePassage]:
    """Every sentence and list item of the pages, each with its page, best pages first.

    Headings and front matter are left out; a sentence seen on an earlier page is kept once.
    """
    seen: set[str] = set()
    passages: list[SourcePassage] = []
    for page in pages:
        for line in page.content.splitlines():
            line = _LINE_ITEM.sub("", line).strip()
            if not line or line.startswith(("#", "---", "|")):
                continue
            for sentence in SENTENCE_BREAK.split(line):
                text = sentence.strip()[:400]
                if len(text) < 4 or text.lower() in seen:
                    continue
                seen.add(text.lower())
                passages.append(SourcePassage(url=page.url, text=text))
                if len(passages) >= MAX_PASSAGES:
                    return passages
    return passages


def _instructs(text: str) -> bool:
    return bool(injected_text(text))


def quarantine_instructions(digest: AccountDigest, passages: list[SourcePassage]) -> AccountDigest:
    """Keep text that addresses an AI out of the research: it is data, never evidence.

    Such sentences are dropped from the passages, the overview and the news, and listed in
    `flagged` for the insights page, so the seller sees that a page tried it.
    """
    digest = digest.model_copy(deep=True)
    digest.flagged = [p for p in passages if _instructs(p.text)]
    digest.passages = [p for p in passages if p not in digest.flagged]
    kept = [s for s in SENTENCE_BREAK.split(digest.business_overview) if not _instructs(s)]
    digest.business_overview = " ".join(kept)
    digest.news = [n for n in digest.news if not _instructs(f"{n.title}. {n.summary}")]
    return digest


def cached_digest(database_url: str, key: str, fresh_since: datetime) -> AccountDigest | None:
    """A stored digest made at or after `fresh_since`, or None."""
    with session_scope(database_url) as session:
        row = session.get(AccountResearch, key)
    if row is None or as_utc(row.researched_on) < fresh_since:
        return None
    return AccountDigest.model_validate(row.payload)


def store_digest(database_url: str, key: str, digest: AccountDigest) -> None:
    """Keep a digest for the next lead at the same company."""
    row = AccountResearch(
        company_key=key,
        engine=digest.engine,
        payload=digest.model_dump(mode="json"),
        researched_on=utc_now(),
    )
    with session_scope(database_url) as session:
        upsert(session, row)  # two leads of one company may be researched at once


def research_company(
    *,
    web: WebSearch,
    engine: ReasoningEngine,
    database_url: str,
    key: str,
    name: str,
    domain: str | None,
    fresh_since: datetime,
    keep: bool = True,
) -> tuple[AccountDigest | None, bool]:
    """The company's digest and whether it came from the cache; None when the web is silent.

    A digest made at or after `fresh_since` is reused: the refresh schedule sets it, and a
    forced batch sets it to the batch start so each company is researched once per batch.
    """
    cached = cached_digest(database_url, key, fresh_since)
    if cached is not None:
        return cached, True
    with _one_research_per_company(key):
        # Leads of one company researched side by side wait for the first one's digest.
        cached = cached_digest(database_url, key, fresh_since)
        if cached is not None:
            return cached, True
        pages = gather_pages(web, name, domain)
        if not pages:
            return None, False
        digest = quarantine_instructions(engine.digest_account(name, pages), page_passages(pages))
        if keep:  # a sandbox (replay) run leaves the shared cache alone
            store_digest(database_url, key, digest)
        return digest, False


_guard = threading.Lock()
_company_locks: dict[str, tuple[threading.Lock, int]] = {}
"""A lock per company being researched in this process, with how many threads use it."""


@contextmanager
def _one_research_per_company(key: str) -> Iterator[None]:
    """Hold the company's lock; it is forgotten when no thread holds or awaits it.

    Workers on other processes may still research the same company at the same moment:
    that costs a duplicate model call, never a wrong digest (the last one stored wins).
    """
    with _guard:
        lock, users = _company_locks.get(key, (threading.Lock(), 0))
        _company_locks[key] = (lock, users + 1)
    try:
        with lock:
            yield
    finally:
        with _guard:
            lock, users = _company_locks[key]
            if users == 1:
                del _company_locks[key]
            else:
                _company_locks[key] = (lock, users - 1)
