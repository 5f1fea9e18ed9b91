"""The offline reasoning engine: rules, pattern extraction and templates. No model, no key.

It reads the pages it is given (the local corpus or Tavily results) and extracts facts
with patterns; every claim it makes carries the URL it came from.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from core.clock import utc_now
from core.conversation import ConversationTurn, MessageKind
from core.findings import AccountDigest, CompanyFacts, LeadResearch, NewsItem, OutreachDraft
from core.icp_profile import FreeTextCriterion, IndustryCriterion, JobTitleCriterion
from core.icp_verdicts import CriterionVerdict, FitLevel, IcpAssessment, Verdict
from core.reply_reading import BantVerdict, ReplyReading
from graphs.knowledge.product_catalog import product_profile
from graphs.knowledge.source_answers import SourcedAnswer, answers_for
from graphs.reply_reader.reader import read_reply as read_reply_by_rules
from prompts.registry import load_prompt
from tools.web_search.results import WebResult

_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
_FACT = re.compile(r"^[-*]\s*([A-Za-z][A-Za-z /&]+?):\s*(.+?)\s*$", re.MULTILINE)
_EMPLOYEES = re.compile(r"(\d{1,3}(?:[,.\s]\d{3})+|\d+)\s*\+?\s*(?:employees|staff|people)", re.I)
_MONEY = re.compile(
    r"(?P<cur>[$€£])\s?(?P<num>\d+(?:[.,]\d+)?)\s*(?P<unit>billion|million|thousand|bn|m|k|b)?",
    re.I,
)
_UNITS = {"billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3}
# Rough conversions so revenue criteria in USD can be judged; precise FX is not the point.
_TO_USD = {"$": 1.0, "€": 1.08, "£": 1.27}
# Openings by news category, best first; community and other news are not used as hooks.
# Openings in our own words: a headline is the page's text, never quoted into an email.
_NEWS_OPENINGS = {
    "launch": "Congratulations on {name}'s recent launch.",
    "contract": "I read about {name}'s new contract. Congratulations on the win.",
    "award": "Congratulations on {name}'s recent award.",
    "leadership": "I saw the recent leadership news at {name}; new leaders often revisit "
    "how their teams handle {problem}.",
}
# Subjects name the hook and the product's main problem, never a page's headline.
_NEWS_SUBJECTS = {
    "launch": "After your launch: {problem} at {name}",
    "contract": "After the new contract: {problem} at {name}",
}
_SUBJECT_CHARS = 70
# A lead's topic that names the channel it came through, not an interest ("Contact us form").
_CHANNEL_WORDS = frozenset(
    {"form", "contact", "webinar", "download", "newsletter", "whitepaper", "ebook", "signup"}
)
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“])")
"""Where prose splits into sentences: after . ! ? before a capital, digit or quote."""
_NEWS_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "leadership",
        ("appoint", "names new", "new ceo", "new cfo", "joins as", "chief", "steps down"),
    ),
    ("contract", ("contract", "selected by", "wins", "signs", "agreement", "partnership", "deal")),
    ("award", ("award", "recogni", "named best", "honou", "honor", "ranked")),
    ("launch", ("launch", "introduc", "unveil", "releases", "rolls out", "opens new", "debut")),
    ("community", ("donat", "volunteer", "community", "sponsor", "charity", "scholarship")),
)


def _sourced_block(answer: SourcedAnswer) -> str:
    """A question answered from a document: a short quote, then where it comes from."""
    return f'> {answer.question}\n"{answer.quote}"\nSource: {answer.hit.citation}'


def _interest(topic: str | None) -> str | None:
    """The lead's topic when it names an interest, not the channel it came through."""
    topic = (topic or "").strip()
    if not topic or _CHANNEL_WORDS & set(re.findall(r"[a-z]+", topic.lower())):
        return None
    return topic


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """'To grow…' → 'to grow…' for quoting mid-sentence (acronyms like 'ERP' stay)."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def sections(markdown: str) -> dict[str, str]:
    """Markdown `## Heading` sections by lowercased heading; text before any is 'intro'."""
    parts = _SECTION.split(markdown)
    found = {"intro": parts[0].strip()}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        found[heading.strip().lower()] = body.strip()
    return found


def key_facts(text: str) -> dict[str, str]:
    """Bullet lines like '- Employees: 1,250' as a lowercased-key dict."""
    return {k.strip().lower(): v.strip() for k, v in _FACT.findall(text)}


def parse_employees(text: str) -> int | None:
    """An employee count from text like '1,250', 'about 1.250 employees' or '12 000 staff'."""
    match = _EMPLOYEES.search(text) or re.fullmatch(r"\D*(\d{1,3}(?:[,.\s]\d{3})+|\d+)\D*", text)
    if not match:
        return None
    return int(re.sub(r"[,.\s]", "", match.group(1)))


_GENERIC_BUSINESS_WORDS = frozenset(
    {
        "management", "company", "companies", "business", "businesses", "services", "service",
        "solution", "solutions", "team", "teams", "group", "operations", "process",
        "processes", "platform", "customers", "products", "market", "markets",
    }
)  # fmt: skip


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A keyword as a whole word; written with a capital it is a name, matched in its case.

    "Snowflake", "SAP" or "Microsoft Fabric" name products: "a snowflake schema", maple
    "sap" or a network "fabric" are other things. "warehouse management" is any case.
    """
    flags = 0 if any(char.isupper() for char in keyword) else re.IGNORECASE
    return re.compile(rf"\b{re.escape(keyword)}\b", flags)


def parse_money(text: str) -> float | None:
    """A US-dollar amount from text like '$240 million' or '€1.2bn'."""
    match = _MONEY.search(text)
    if not match:
        return None
    number = float(match["num"].replace(",", "."))
    unit = (match["unit"] or "").lower()
    return number * _UNITS.get(unit, 1.0) * _TO_USD[match["cur"]]


def sentences(text: str) -> list[str]:
    """Prose split into sentences (Markdown bullets and headings dropped)."""
    prose = " ".join(
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "-", "*", "|"))
    )
    return [s.strip() for s in SENTENCE_BREAK.split(prose) if s.strip()]


def page_kind(page: WebResult) -> str:
    """company, finance or news, from the URL and title."""
    url, title = page.url.lower(), page.title.lower()
    if "/news/" in url or "/press/" in url or "news" in title:
        return "news"
    if any(w in url or w in title for w in ("investor", "financ", "annual-report", "results")):
        return "finance"
    return "company"


def news_category(text: str) -> str:
    """What a news item is about, by its wording."""
    lowered = text.lower()
    for category, words in _NEWS_KINDS:
        if any(word in lowered for word in words):
            return category
    return "other"


def _parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _bullets(text: str) -> list[str]:
    return [
        line.lstrip("-* ").strip()
        for line in text.splitlines()
        if line.lstrip().startswith(("-", "*")) and ":" not in line[:30]
    ]


class OfflineEngine:
    """Deterministic engine: the default without a model, and the LLM's fallback."""

    name = "offline"

    def __init__(self, product: str | None = None) -> None:
        # The product the agent sells: its profile judges need, its FAQ answers questions.
        self.product = product

    # -- account digest ---------------------------------------------------------------

    def digest_account(self, company_name: str, pages: list[WebResult]) -> AccountDigest:
        """Overview, finances, news and facts, extracted from the pages by pattern."""
        facts = CompanyFacts(name=company_name)
        overview: list[str] = []
        finance_lines: list[str] = []
        news: list[NewsItem] = []
        for page in pages:
            kind = page_kind(page)
            parts = sections(page.content)
            found = key_facts(page.content)
            self._absorb_facts(facts, found, page)
            if kind == "news":
                body = sentences(page.content)
                news.append(
                    NewsItem(
                        title=page.title,
                        url=page.url,
                        published_on=_parse_date(page.date),
                        category=news_category(f"{page.title} {' '.join(body[:2])}"),  # type: ignore[arg-type]
                        summary=" ".join(body[:2]) or page.title,
                    )
                )
            elif kind == "finance":
                finance_lines.extend(f"{k.capitalize()}: {v}" for k, v in found.items())
                finance_lines.extend(sentences(page.content)[:2])
                if facts.annual_revenue is None and (money := parse_money(page.content)):
                    facts.annual_revenue = money
                    facts.sources["annual_revenue"] = page.url
            else:
                text = parts.get("overview") or parts.get("intro") or page.content
                overview.extend(sentences(text)[:3])
                products = parts.get("products and services") or parts.get("products")
                if products and not facts.products:
                    facts.products = _bullets(products)[:8]
                    facts.sources["products"] = page.url
                if parts.get("mission") and not facts.mission:
                    facts.mission = (
                        sentences(parts["mission"])[0]
                        if sentences(parts["mission"])
                        else parts["mission"]
                    )
                    facts.sources["mission"] = page.url
                if facts.description is None and overview:
                    facts.description = overview[0]
                    facts.sources["description"] = page.url
                if facts.employees is None and (count := parse_employees(page.content)):
                    facts.employees = count
                    facts.sources["employees"] = page.url
        news.sort(key=lambda n: n.published_on or date.min, reverse=True)
        return AccountDigest(
            company_name=company_name,
            business_overview=self._overview(company_name, facts, overview),
            finances=" ".join(dict.fromkeys(finance_lines))
            or "No financial information found on the web.",
            news=news[:3],
            facts=facts,
            sources=[p.url for p in pages],
            engine=self.name,
        )

    @staticmethod
    def _absorb_facts(facts: CompanyFacts, found: dict[str, str], page: WebResult) -> None:
        def take(field: str, value: object) -> None:
            if value is not None and getattr(facts, field) in (None, []):
                setattr(facts, field, value)
                facts.sources[field] = page.url

        if "industry" in found:
            take("industry", found["industry"])
        if "employees" in found:
            take("employees", parse_employees(found["employees"]))
        for key in ("annual revenue", "revenue"):
            if key in found:
                take("annual_revenue", parse_money(found[key]))
        if "headquarters" in found:
            place = [p.strip() for p in found["headquarters"].split(",")]
            take("city", place[0] if len(place) > 1 else None)
            take("country", place[-1])

    @staticmethod
    def _overview(name: str, facts: CompanyFacts, prose: list[str]) -> str:
        parts = list(dict.fromkeys(prose))[:3]
        detail = []
        if facts.industry:
            detail.append(f"industry: {facts.industry}")
        if facts.employees:
            detail.append(f"about {facts.employees:,} employees")
        if facts.city or facts.country:
            detail.append("based in " + ", ".join(p for p in (facts.city, facts.country) if p))
        if facts.products:
            detail.append("offers " + ", ".join(facts.products[:3]))
        if detail:
            parts.append(f"{name}: " + "; ".join(detail) + ".")
        return " ".join(parts) or f"No business overview found on the web for {name}."

    # -- lead summary -----------------------------------------------------------------

    def summarize_lead(self, research: LeadResearch) -> str:
        """The About lead summary from CRM fields, via the offline template."""
        lead = research.lead
        role = f", {lead.job_title}" if lead.job_title else ""
        company = lead.company_name or research.company.name
        role += f" at {company}" if company else ""
        where = ", ".join(p for p in (lead.city, lead.country) if p)
        created = lead.created_on.date().isoformat() if lead.created_on else "an unknown date"
        source = f"Came in via {lead.source} on {created}" if lead.source else f"Created {created}"
        history = []
        if research.who_knows_whom:
            names = ", ".join(link.user_name for link in research.who_knows_whom[:2])
            history.append(f" Known to {names}.")
        if research.lead_opportunities:
            history.append(f" {len(research.lead_opportunities)} open opportunity(ies) from it.")
        return (
            load_prompt("offline_lead_summary")
            .render(
                full_name=lead.full_name,
                role_phrase=role,
                location_phrase=f" ({where})" if where else "",
                source_phrase=source,
                topic=lead.topic or "no topic",
                rating=lead.rating or "unrated",
                owner_phrase=f", owned by {lead.owner_name}" if lead.owner_name else "",
                history_phrase="".join(history),
            )
            .strip()
        )

    # -- free-text ICP criteria -------------------------------------------------------

    def judge_free_text(
        self, criterion: FreeTextCriterion, company: CompanyFacts, digest: AccountDigest | None
    ) -> CriterionVerdict:
        """Keyword evidence in the company's pages: met, partly (related words), or not."""
        texts: list[tuple[str, str]] = []  # (sentence, source)
        products_source = company.sources.get("products", "web")
        texts += [(p, products_source) for p in company.products]
        if company.description:
            texts.append((company.description, company.sources.get("description", "CRM")))
        if digest is not None:
            texts += [(s, "web") for s in sentences(digest.business_overview)]
            texts += [(n.summary, n.url) for n in digest.news]
            texts += [(p.text, p.url) for p in digest.passages]
        label = criterion.label or criterion.description
        base = {
            "criterion_id": criterion.id or criterion.kind,
            "label": label,
            "importance": criterion.importance,
        }
        if not texts:
            return CriterionVerdict(
                **base, verdict=Verdict.UNKNOWN, evidence="No company description or web pages."
            )
        for keyword in criterion.keywords:
            pattern = keyword_pattern(keyword)
            for text, source in texts:
                if pattern.search(text):
                    return CriterionVerdict(
                        **base,
                        verdict=Verdict.MET,
                        evidence=f'Mentions "{keyword}": "{text}"',
                        source=source,
                    )
        words = {w for w in re.findall(r"[a-z]{4,}", criterion.description.lower())}
        words -= {"runs", "uses", "with", "that", "have", "their", "system", "systems"}
        # Words every company page uses say nothing about the criterion ("management" is
        # in "management reports healthy margins").
        words -= _GENERIC_BUSINESS_WORDS
        best = max(
            texts,
            key=lambda item: len(words & set(re.findall(r"[a-z]{4,}", item[0].lower()))),
        )
        overlap = words & set(re.findall(r"[a-z]{4,}", best[0].lower()))
        if words and len(overlap) >= max(1, len(words) // 2):
            return CriterionVerdict(
                **base,
                verdict=Verdict.PARTLY_MET,
                evidence=f'Related wording ({", ".join(sorted(overlap))}): "{best[0]}"',
                source=best[1],
            )
        return CriterionVerdict(
            **base,
            verdict=Verdict.NOT_MET,
            evidence=f"None of {', '.join(criterion.keywords) or 'the keywords'} "
            f"appears in {len(texts)} passages about the company.",
            source="web" if digest else company.sources.get("description"),
        )

    # -- outreach ---------------------------------------------------------------------

    @staticmethod
    def _best_news(research: LeadResearch) -> NewsItem | None:
        """The news item most worth opening with: launches and wins before the rest."""
        items = research.digest.news if research.digest else []
        ranked = sorted(
            (n for n in items if n.category in _NEWS_OPENINGS),
            key=lambda n: list(_NEWS_OPENINGS).index(n.category),
        )
        return ranked[0] if ranked else None

    def judge_label(
        self, criterion: IndustryCriterion | JobTitleCriterion, label: str, source: str | None
    ) -> CriterionVerdict | None:
        """No opinion: offline, the rules' verdict stands."""
        return None

    def write_outreach(
        self, research: LeadResearch, icp: IcpAssessment, sender_name: str
    ) -> OutreachDraft:
        """A short first email; personal claims only from sourced research."""
        lead, company = research.lead, research.company
        name = company.name or lead.company_name or "your team"
        grounded: list[str] = []
        topic = (lead.topic or "").strip()
        interest = _interest(topic)
        if interest:
            opening = f"You recently asked us about {_lower_first(topic.rstrip('.'))}."
        elif topic:
            opening = "Thank you for getting in touch with us."
        else:
            opening = f"I'm reaching out to {name}."
        profile = product_profile(self.product)
        problem = _lower_first(profile.problems[0].short_name)
        subject = f"{name} and {topic}" if interest else f"{_upper_first(problem)} at {name}"
        news = self._best_news(research)
        if news is not None:
            hook = _NEWS_OPENINGS[news.category].format(name=name, problem=problem)
            opening = f"{hook} {opening}"
            subject = _NEWS_SUBJECTS.get(news.category, subject).format(name=name, problem=problem)
            grounded.append(news.url)
        elif company.mission:
            # The page's words are the company's, not ours to send back: refer, never quote.
            opening = f"I read what {name} sets out to do on your website. {opening}"
            grounded.append(company.sources.get("mission", "web"))
        size = company.employees
        if size is None:
            scale = "teams like yours"
        elif size < 200:
            scale = "small teams like yours"
        elif size <= 2000:
            scale = f"mid-sized companies like {name}"
        else:
            scale = f"organisations at the scale of {name}"
        # What we sell and for whom in the admin's words: nothing about one product is
        # wired into the templates.
        value = f"I work on {profile.name}, {profile.pitch}. It helps {scale} with {problem}."
        # Only a proof point the admin's product profile states, with its source.
        points = profile.proof
        proof = f"{points[0].claim.rstrip('.')} ({points[0].source})." if points else ""
        question = (
            "How are you handling this today, and what would you most like to change?"
            if interest
            else f"How is your team handling {problem} today?"
        )
        if len(subject) > _SUBJECT_CHARS:  # cut at a word, never inside a name
            subject = subject[: _SUBJECT_CHARS + 1].rsplit(" ", 1)[0].rstrip(" ,:;-")
        body = load_prompt("offline_outreach_email").render(
            greeting_name=lead.full_name.split()[0] if lead.full_name != "(no name)" else "there",
            opening=opening,
            value=value,
            proof=proof,
            question=question,
            call_to_action="Would you be open to a 20-minute call next week to compare notes?",
            signature=sender_name,
        )
        if icp.fit_level == FitLevel.NONE:
            grounded.append("ICP: drafted on request although the lead does not match the ICP")
        return OutreachDraft(subject=subject, body=body, grounded_on=grounded, engine=self.name)

    # -- engage: replies and messages in the thread ----------------------------------

    def read_reply(
        self,
        reply_text: str,
        conversation: list[ConversationTurn],
        research: LeadResearch,
        *,
        headers: dict[str, Any] | None = None,
        product: str | None = None,
    ) -> ReplyReading:
        """Intent, interest and BANT by the offline reply rules."""
        latest = next((t for t in reversed(conversation) if t.direction == "inbound"), None)
        profile = product_profile(product or self.product)
        return read_reply_by_rules(
            reply_text,
            received_on=latest.at if latest else utc_now(),
            job_title=research.lead.job_title,
            headers=headers,
            conversation=conversation,
            problems=profile.problem_pattern,
            competitors=profile.competitor_pattern,
            problem_keywords=profile.keyword_pattern,
        )

    def write_message(
        self,
        kind: MessageKind,
        research: LeadResearch,
        conversation: list[ConversationTurn],
        sender_name: str,
    ) -> OutreachDraft:
        """A follow-up, an FAQ-grounded answer or a check-in, replying in the thread."""
        lead = research.lead
        name = lead.full_name.split()[0] if lead.full_name != "(no name)" else "there"
        first = next((t for t in conversation if t.direction == "outbound"), None)
        subject = first.subject if first else (lead.topic or "Following up")
        subject = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        profile = product_profile(self.product)
        interest = _interest(lead.topic)
        topic = _lower_first((interest or profile.problems[0].short_name).rstrip("."))
        if kind == "answer":
            return self._answer(research, conversation, name, subject, sender_name)
        if kind == "check_in":
            body = load_prompt("offline_check_in").render(
                greeting_name=name,
                reminder=f"You suggested I get back in touch around now about {topic}.",
                question="Has anything changed on your side, and is now a better time to look?",
                call_to_action="If it helps, I can hold 20 minutes next week for a short call.",
                signature=sender_name,
            )
            return OutreachDraft(subject=subject, body=body, engine=self.name)
        follow_ups = sum(1 for t in conversation if t.kind == "follow_up")
        if follow_ups == 0:
            nudge = f"I wanted to follow up on my note about {topic}."
            question = "Is this something you're working on this year?"
        else:
            nudge = (
                "I don't want to crowd your inbox, so this is my last note for now. "
                f"If {topic} isn't a priority, just say so and I'll stop here."
            )
            question = "Or, if someone else looks after this, who should I talk to?"
        value = f"{profile.name} is {profile.pitch}; it helps teams with {topic}."
        body = load_prompt("offline_follow_up").render(
            greeting_name=name, nudge=nudge, value=value, question=question, signature=sender_name
        )
        return OutreachDraft(subject=subject, body=body, engine=self.name)

    def _answer(
        self,
        research: LeadResearch,
        conversation: list[ConversationTurn],
        name: str,
        subject: str,
        sender_name: str,
    ) -> OutreachDraft:
        latest = next((t for t in reversed(conversation) if t.direction == "inbound"), None)
        reading = latest.reading if latest else None
        questions = list(reading.questions) if reading else []
        answers = answers_for(self.product, questions)
        answered = answers.from_faq
        if answered or answers.from_sources:
            blocks = [f"> {question}\n{entry.answer}" for question, entry in answered]
            blocks += [_sourced_block(answer) for answer in answers.from_sources]
            thanks = "Thanks for getting back to me. To your questions:"
        else:
            blocks = []
            thanks = "Thanks for getting back to me, good to hear from you."
        next_question = self._bant_question(reading)
        body = load_prompt("offline_answer").render(
            greeting_name=name,
            thanks=thanks,
            answers="\n\n".join(blocks),
            next_question=next_question,
            call_to_action="Would a 20-minute call next week help? Tell me a time that suits you.",
            signature=sender_name,
        )
        body = re.sub(r"\n{3,}", "\n\n", body)
        return OutreachDraft(
            subject=subject,
            body=body,
            grounded_on=[f"FAQ: {entry.id}" for _, entry in answered]
            + [f"Source: {answer.hit.citation}" for answer in answers.from_sources],
            engine=self.name,
        )

    @staticmethod
    def _bant_question(reading: ReplyReading | None) -> str:
        """One open question about the first BANT dimension still unknown (need first)."""
        bant = reading.bant if reading else None
        asks = (
            ("need", "What is the biggest problem you'd want to solve first?"),
            ("timing", "When would you want something in place?"),
            ("budget", "Is there a budget set aside for this, or would it need a business case?"),
            ("authority", "Who else would be involved in choosing a tool like this?"),
        )
        for dimension, question in asks:
            if bant is None or getattr(bant, dimension).verdict != BantVerdict.MET:
                return question
        return "What would you need to see to move ahead?"
