"""Model outputs to our contract models, where rules dispose: research, verdicts, drafts.

Citations must be pages or sources we supplied (`sources.match_source`): news and facts
without a cited page are dropped, only three news items are kept, a verdict's unknown
source is left out, and a draft is signed and cites only the research.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from core.conversation import ConversationTurn
from core.findings import AccountDigest, CompanyFacts, NewsItem, OutreachDraft
from core.icp_profile import IcpCriterion
from core.icp_verdicts import CriterionVerdict, Verdict
from graphs.reasoning.llm.schemas import LlmCriterionJudgement, LlmDigest, LlmOutreach
from graphs.reasoning.llm.sources import match_source, unique
from graphs.reply_reader.sentences import verbatim_quote

MAX_NEWS = 3
# The quotation a verdict's evidence opens with ('"We run SAP." Shows an ERP.').
_QUOTED = re.compile(r'["“„«]\s*(.+?)\s*["”“»]')
NO_FINANCES = "No financial information in the sources."


_FACT_FIELDS: dict[str, str] = {
    "industry": "industry",
    "employees": "employees",
    "annual_revenue_usd": "annual_revenue",
    "country": "country",
    "city": "city",
    "products": "products",
    "mission": "mission",
    "description": "description",
}


def digest_from_llm(
    company_name: str, page_urls: list[str], out: LlmDigest, *, engine: str
) -> AccountDigest:
    """The contract digest: news and facts kept only when they cite a page we supplied."""
    news: list[NewsItem] = []
    for item in out.news:
        url = match_source(item.url, page_urls)
        if url is None:
            continue
        news.append(
            NewsItem(
                title=item.title.strip(),
                url=url,
                published_on=parse_date(item.published_on),
                category=item.category,
                summary=item.summary.strip(),
            )
        )
        if len(news) == MAX_NEWS:
            break
    cited: dict[str, str] = {}
    for source in out.fact_sources:
        url = match_source(source.url, page_urls)
        if url is not None:
            cited.setdefault(_FACT_FIELDS[source.fact], url)
    values: dict[str, Any] = {}
    for llm_field, field in _FACT_FIELDS.items():
        value = getattr(out.facts, llm_field)
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, list):
            value = [v.strip() for v in value if v.strip()]
        if isinstance(value, int | float) and value < 0:
            value = None
        if value not in (None, []) and field in cited:
            values[field] = value
    facts = CompanyFacts(
        name=company_name, sources={field: cited[field] for field in values}, **values
    )
    return AccountDigest(
        company_name=company_name,
        business_overview=out.business_overview.strip(),
        finances=out.finances.strip() or NO_FINANCES,
        news=news,
        facts=facts,
        sources=page_urls,
        engine=engine,
    )


def verdict_from_llm(
    criterion: IcpCriterion,
    out: LlmCriterionJudgement,
    allowed: list[str],
    seen: str,
    *,
    label: str,
) -> CriterionVerdict:
    """The contract verdict, checked in code as reply evidence is.

    A verdict other than unknown must rest on a verbatim quote of what the model was shown
    (`seen`); without one it becomes unknown. A source we did not supply is dropped.
    """
    verdict = out.verdict
    evidence = out.evidence.strip() or "The research does not say."
    quoted = _QUOTED.search(evidence)
    quote = quoted.group(1) if quoted else evidence
    if verdict is not Verdict.UNKNOWN and verbatim_quote(quote, seen) is None:
        verdict = Verdict.UNKNOWN
        evidence = f"Not judged: the model's evidence is not a quote from the sources ({evidence})"
    source = match_source(out.source, allowed) if verdict is not Verdict.UNKNOWN else None
    return CriterionVerdict(
        criterion_id=criterion.id or criterion.kind,
        label=label,
        importance=criterion.importance,
        verdict=verdict,
        evidence=evidence,
        source=source,
    )


def draft_from_llm(
    out: LlmOutreach, allowed: list[str], sender_name: str, *, engine: str
) -> OutreachDraft:
    """The contract draft: one-line subject, signed body, citations from the research only."""
    grounded = unique([url for s in out.grounded_on if (url := match_source(s, allowed))])
    body = out.body.strip()
    if sender_name and sender_name not in body:
        body = f"{body}\n\nBest regards,\n{sender_name}"
    subject = " ".join(out.subject.split())
    return OutreachDraft(subject=subject, body=body, grounded_on=grounded, engine=engine)


_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|antw|fw|fwd|wg|tr|rv|sv)\s*:\s*)+", re.IGNORECASE)


def thread_subject(conversation: list[ConversationTurn]) -> str | None:
    """'Re: <subject of the thread's first email>', so the message threads; None if no thread."""
    first = next((turn for turn in conversation if turn.subject.strip()), None)
    if first is None:
        return None
    base = _REPLY_PREFIX.sub("", first.subject).strip()
    return f"Re: {base}" if base else None


def parse_date(text: str | None) -> date | None:
    """The date an ISO text starts with (YYYY-MM-DD), or None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
