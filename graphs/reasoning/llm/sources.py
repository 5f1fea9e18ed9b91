"""The sources the model may cite (CRM fields, pages read), and matching what it cites.

A citation counts only when it names one of the sources we supplied, ignoring case and
a trailing slash; the match returns our spelling of it.
"""

from __future__ import annotations

from core.findings import AccountDigest, CompanyFacts


def allowed_sources(company: CompanyFacts, digest: AccountDigest | None) -> list[str]:
    """Every source a verdict or a draft may cite: CRM fields and the pages read."""
    sources = list(company.sources.values())
    if digest is not None:
        sources += digest.sources
        sources += list(digest.facts.sources.values())
        sources += [item.url for item in digest.news]
    return unique(sources)


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _norm(source: str) -> str:
    return source.strip().rstrip("/").lower()


def match_source(source: str | None, allowed: list[str]) -> str | None:
    """The allowed source `source` names (ignoring case and a trailing slash), if any."""
    if not source:
        return None
    wanted = _norm(source)
    return next((item for item in allowed if _norm(item) == wanted), None)
