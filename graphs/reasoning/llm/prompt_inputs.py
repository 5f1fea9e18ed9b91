"""What the prompts are filled with: untrusted text fenced and defused, data as JSON.

Web pages and emails go into `<untrusted_...>` blocks; any text we did not write has
our fence tags defused (`clean`), so it cannot close its own fence and pose as
instructions.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from core.conversation import ConversationTurn
from core.findings import AccountDigest
from graphs.reply_reader.segmentation import clean_reply
from tools.web_search.results import WebResult

_FENCE_TAG = re.compile(r"<\s*/?\s*untrusted_", re.IGNORECASE)


def clean(text: str) -> str:
    """Untrusted text with our fence tags defused, so it cannot close its own fence."""
    return _FENCE_TAG.sub("<_", text)


def _attr(text: str | None) -> str:
    return clean(text or "").replace('"', "'").replace("\n", " ")


def fence_page(index: int, page: WebResult, max_chars: int) -> str:
    """A web page as an untrusted, fenced block for the digest prompt."""
    content = page.content
    if len(content) > max_chars:
        content = content[:max_chars] + " [...]"
    return (
        f'<untrusted_page n="{index}" url="{_attr(page.url)}" title="{_attr(page.title)}" '
        f'date="{_attr(page.date)}">\n{clean(content)}\n</untrusted_page>'
    )


def data_text(value: BaseModel | dict[str, Any]) -> str:
    """CRM or research data as JSON for a fenced prompt block (empty fields left out)."""
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    kept = {k: v for k, v in data.items() if v not in (None, "", [], {})}
    return clean(json.dumps(kept, indent=2, ensure_ascii=False))


def research_text(digest: AccountDigest | None) -> str:
    """The web research as prompt text: overview, finances, news, each with its sources."""
    if digest is None:
        return "No web research is available."
    lines = [
        f"Business overview (sources: {', '.join(digest.sources) or 'none'}): "
        f"{digest.business_overview}",
        f"Finances: {digest.finances}",
    ]
    facts = digest.facts
    for name in ("mission", "description"):
        value = getattr(facts, name)
        if value:
            lines.append(f"{name.capitalize()} (source: {facts.sources.get(name, '?')}): {value}")
    if facts.products:
        lines.append(
            f"Products (source: {facts.sources.get('products', '?')}): {', '.join(facts.products)}"
        )
    for item in digest.news:
        when = item.published_on.isoformat() if item.published_on else "undated"
        lines.append(
            f"News, {when}, {item.category} (source: {item.url}): {item.title}. {item.summary}"
        )
    if digest.passages:
        lines.append("What the pages say, sentence by sentence:")
        lines += [f"- (source: {p.url}) {p.text}" for p in digest.passages]
    return clean("\n".join(lines))


MAX_EMAIL_CHARS = 2000

MESSAGE_KINDS: dict[str, str] = {
    "outreach": "A first email: introduce yourself and the value in two or three sentences.",
    "follow_up": (
        "A follow-up to an email the lead has not answered: one or two sentences that refer "
        "to your previous email, add one new, useful angle from the research (never repeat "
        "the first email), and ask one easy question."
    ),
    "answer": (
        "An answer to the lead's reply: answer each of the lead's questions listed below with "
        "its FAQ answer, in your own words, or with facts stated in the research or the "
        "conversation. Only when a question has no FAQ answer and nothing below answers it, "
        "say you will check with the team and come back; never guess prices, features, "
        "integrations, customers or dates. Then propose the next step."
    ),
    "check_in": (
        "A check-in the lead asked for earlier ('not now, try me later'): remind them in one "
        "sentence what they said and when, ask whether the timing is better now."
    ),
}


def conversation_text(turns: list[ConversationTurn]) -> str:
    """The conversation so far as fenced, untrusted blocks (oldest first).

    Inbound emails are cleaned to the lead's new text; long emails are cut.
    """
    if not turns:
        return "(no earlier emails)"
    blocks = []
    for n, turn in enumerate(turns, 1):
        body = clean_reply(turn.body).text if turn.direction == "inbound" else turn.body.strip()
        if len(body) > MAX_EMAIL_CHARS:
            body = body[:MAX_EMAIL_CHARS] + " [...]"
        who = "the lead" if turn.direction == "inbound" else "us"
        blocks.append(
            f'<untrusted_email n="{n}" from="{who}" kind="{_attr(turn.kind)}" '
            f'date="{turn.at.date().isoformat()}" subject="{_attr(turn.subject)}">\n'
            f"{clean(body)}\n</untrusted_email>"
        )
    return "\n\n".join(blocks)
