"""The content check every email passes before it enters the outbox (issue 12).

Web pages are data, never copy or instructions. An email is held for a person when it
- links anywhere but our own domain, the lead's own domain or the admin's allowlist
  (a phishing link planted on a page must never reach a lead);
- repeats a sentence of the research word for word, or quotes it (page text is not ours to
  send, and a planted sentence must not travel);
- carries instructions aimed at an AI agent ("ignore previous instructions");
- states a figure or a name that no source supports: the CRM, the verified research, the
  product profile and FAQ, or the conversation (`claim_grounding`).
Pure functions: the message writer gathers the inputs and decides what to do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel

from core.conversation import ConversationTurn
from core.findings import AccountDigest, LeadResearch
from graphs.engage.claim_grounding import unsupported_claims
from graphs.knowledge.product_catalog import product_knowledge
from graphs.knowledge.product_profile import product_text
from graphs.knowledge.source_answers import quoted_passages
from graphs.reply_reader.injection import injected_text
from tools.crm import email_domain

FindingKind = Literal["link", "web_text", "instructions", "unsupported_claim"]

# URLs and bare host names ("evil.example/login", "www.contoso.com").
_LINK = re.compile(
    r"(?:https?://|www\.)[^\s<>()\"']+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s<>()\"']*)?",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\b[\w.+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,})\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_QUOTED = re.compile(r"[\"“„«]([^\"”“»]{12,})[\"”“»]")
MIN_COPIED_WORDS = 8
"""A run of this many words found in the research is copy, not a coincidence."""


class ContentFinding(BaseModel):
    """One reason to hold an email, in words a reviewer acts on."""

    kind: FindingKind
    detail: str


def _host(link: str) -> str:
    text = re.sub(r"^[a-z]+://", "", link.lower())
    return text.split("/", 1)[0].split(":", 1)[0].removeprefix("www.").rstrip(".")


def _allowed(host: str, allowed_hosts: Iterable[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in allowed_hosts if h)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def research_texts(digest: AccountDigest | None) -> list[str]:
    """Everything the research read from the web, as the email must not repeat it."""
    if digest is None:
        return []
    texts = [digest.business_overview, digest.finances, *(p.text for p in digest.passages)]
    texts += [f"{item.title}. {item.summary}" for item in digest.news]
    return [t for t in texts if t]


def grounding_sources(
    research: LeadResearch,
    *,
    product: str | None,
    conversation: Sequence[ConversationTurn] = (),
    sender: str = "",
) -> list[str]:
    """What an email to this lead may state: the CRM and verified research about the lead
    and the company, the product profile and FAQ, the passages of the product's knowledge
    sources the answers quote, the conversation, and the sender."""
    lead, company = research.lead, research.company
    texts = [sender, *research_texts(research.digest)]
    texts += [
        str(v)
        for v in (
            lead.full_name, lead.job_title, lead.company_name, lead.country, lead.city,
            lead.topic, lead.owner_name, company.name, company.domain, company.industry,
            company.employees, company.annual_revenue, company.employees_as_given,
            company.revenue_as_given, company.country, company.city, company.mission,
            company.description, *company.products,
        )
        if v is not None
    ]  # fmt: skip
    texts += [link.user_name for link in research.who_knows_whom]
    texts += [o.name for o in (*research.lead_opportunities, *research.account_opportunities)]
    texts += [c.full_name for c in research.suggested_contacts]
    knowledge = product_knowledge(product)
    texts += [product_text(knowledge.profile), *(entry.answer for entry in knowledge.faq.entries)]
    texts += quoted_passages()  # the knowledge-source passages this email answers from
    texts += [f"{turn.subject}\n{turn.body}" for turn in conversation]
    return texts


def _copied_runs(body: str, sources: list[str]) -> list[str]:
    """Sentences of the body that repeat MIN_COPIED_WORDS or more words of a source in a row."""
    grams: set[tuple[str, ...]] = set()
    for source in sources:
        words = _words(source)
        grams.update(
            tuple(words[i : i + MIN_COPIED_WORDS]) for i in range(len(words) - MIN_COPIED_WORDS + 1)
        )
    copied = []
    for sentence in _SENTENCE.split(body):
        words = _words(sentence)
        if any(
            tuple(words[i : i + MIN_COPIED_WORDS]) in grams
            for i in range(len(words) - MIN_COPIED_WORDS + 1)
        ):
            copied.append(sentence.strip())
    return copied


def check_email_to_lead(
    subject: str,
    body: str,
    *,
    lead_email: str | None,
    research: LeadResearch,
    mailboxes: list[str],
    link_allowlist: list[str],
    product: str | None,
    conversation: Sequence[ConversationTurn] = (),
    sender: str = "",
) -> list[ContentFinding]:
    """The content check for an email to a lead: links may go to our mailboxes' domains,
    the lead's email and company domains and the allowlist; the research is what the
    email must not repeat; every figure and name must have a source."""
    hosts = [m.rsplit("@", 1)[-1] for m in mailboxes]
    hosts += [email_domain(lead_email) or "", research.company.domain or "", *link_allowlist]
    findings = check_content(
        subject, body, allowed_hosts=hosts, research=research_texts(research.digest)
    )
    sources = grounding_sources(research, product=product, conversation=conversation, sender=sender)
    findings += [
        ContentFinding(
            kind="unsupported_claim",
            detail=f"says “{claim.term}” with no source (not in the CRM, the research, the "
            f"product profile, the FAQ or the conversation): {claim.marked()}",
        )
        for claim in unsupported_claims(subject, body, sources)
    ]
    return findings


def check_content(
    subject: str,
    body: str,
    *,
    allowed_hosts: Iterable[str],
    research: list[str],
) -> list[ContentFinding]:
    """What in this email needs a person's eye before it goes; empty when it may go."""
    findings: list[ContentFinding] = []
    text = f"{subject}\n{body}"
    allowed = {h.lower().removeprefix("www.") for h in allowed_hosts if h}
    mail_hosts = {m.group(1).lower() for m in _EMAIL.finditer(text)}
    for match in _LINK.finditer(_EMAIL.sub(" ", text)):
        host = _host(match.group())
        if host in mail_hosts or _allowed(host, allowed):
            continue
        findings.append(
            ContentFinding(
                kind="link",
                detail=f"links to {host}, which is neither our domain, the lead's nor on the "
                "allowlist",
            )
        )
    lowered_sources = [" ".join(_words(s)) for s in research]
    for quote in _QUOTED.findall(text):
        plain = " ".join(_words(quote))
        if plain and any(plain in source for source in lowered_sources):
            findings.append(
                ContentFinding(kind="web_text", detail=f"quotes a web page: “{quote.strip()}”")
            )
    for sentence in _copied_runs(body, research):
        findings.append(
            ContentFinding(kind="web_text", detail=f"repeats a web page word for word: {sentence}")
        )
    for instruction in injected_text(text):
        findings.append(
            ContentFinding(
                kind="instructions", detail=f"carries instructions to an AI: {instruction}"
            )
        )
    return findings
