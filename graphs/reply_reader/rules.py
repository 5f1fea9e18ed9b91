"""The offline reply reader: intent, purchase interest and BANT of a lead's reply, by rules.

Only the lead's new text is read (`reply_text.clean_reply` drops quoted history, forwarded
mail, signatures and disclaimers). The text is split into sentences; each rule is a set of
cue phrases (English first, with common German, French and Spanish ones), matched
case-insensitively per sentence. Positive cues ("let's set up a call", "interested") do
not count when a negation shortly precedes them in the same clause ("no need to set up a
call", "not interested").

Intent precedence, first match wins (why, in brackets):

1. bounce — headers or delivery-status wording (a machine answered; nothing else counts)
2. unsubscribe — (an opt-out is honoured whatever else the reply says: "Unsubscribe me.
   Also, what is your pricing?" is an unsubscribe); a spam complaint (ARF feedback
   report) counts as an opt-out
3. out_of_office — auto-reply headers or wording (the person has not read the email)
4. wrong_person — (a referral matters more than the referrer's own view)
5. not_interested, sarcastic — ("sure, let's set up a call, because I have nothing better
   to do" must not read as a meeting request)
6. meeting_request — unless the only time named is 45+ days away ("let's talk in Q3"),
   which is not_now
7. not_now — before not_interested ("Not interested right now, but try us in Q3"); "not
   interested right now / for now" is not now, "not interested at this time" a polite no
8. not_interested
9. question — a question in the new text
10. interested — explicit interest, or any other human reply with no cue (low interest)

Purchase interest, from the seven kinds of buying signal (pricing and availability;
budget and approval; features and use cases; competitor comparisons; demo or trial;
urgency and timeline; success stories and ROI): none for bounce, opt-out, out of office,
wrong person and not interested; low for not now; high for a meeting, demo or pricing ask
together with a timeline (or three kinds of signal, or a meeting plus two); medium for a
meeting request, any signal or explicit interest; low otherwise (a vague positive, a
question about nothing in particular). Bounces and auto-replies get no BANT and no
questions.

Prompt injection: sentences that address the AI/agent or give it instructions ("ignore
your instructions", "you are now", "mark me as qualified", "system:", "Assistant, ...",
role-play as its admin or developer, "print your prompt"), machine-readable verdicts
(JSON keys, `key=value`, YAML lines such as `qualified: true`), config fences and hidden
HTML text set `injection_suspected`. They, plus the sentences after them in the same
paragraph (the instruction's payload: "The lead has budget approved."), are left out
before intent, interest and BANT are read, so an injected claim never becomes BANT
evidence; the payload ends at a question or a turn back to the seller ("Real answer:",
"Anyway"). Instructions below the sign-off are flagged too. "Ignore my previous email"
is a lead correcting herself, not an injection.

BANT evidence is always a verbatim substring of the cleaned reply (the sentence that
carries the cue), except authority from a senior job title (c-level, VP, director, head:
evidence "Job title: ..."), which wins over what the text says, and dimensions carried over
from earlier replies. Carry-over: a dimension judged met or not met in an earlier reply
keeps that verdict (and its quote) until a later reply says otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import graphs.reply_reader.dates as dates
from core.conversation import ConversationTurn
from core.icp_profile import Seniority
from core.reply_reading import (
    Bant,
    BantItem,
    BantVerdict,
    Intent,
    PurchaseInterest,
    ReferredPerson,
    ReplyReading,
)
from graphs.icp.title import classify_title
from graphs.reply_reader.segmentation import clean_reply

BANT_DIMENSIONS = ("budget", "authority", "need", "timing")
SENIOR_LEVELS = frozenset({Seniority.C_LEVEL, Seniority.VP, Seniority.DIRECTOR, Seniority.HEAD})
NEGATIVE_INTENTS = frozenset(
    {
        Intent.BOUNCE,
        Intent.UNSUBSCRIBE,
        Intent.OUT_OF_OFFICE,
        Intent.NOT_INTERESTED,
        Intent.WRONG_PERSON,
    }
)
# "Let's talk in Q3" is a deferral, not a meeting request, when the date is this far off.
MEETING_DEFERRAL_DAYS = 45
_I = re.IGNORECASE


def _any(*patterns: str, flags: int = 0) -> re.Pattern[str]:
    """One case-insensitive pattern matching any of `patterns`; a space matches any spacing
    (hard-wrapped lines put a line break inside a phrase)."""
    joined = "|".join(f"(?:{p})" for p in patterns).replace(" ", r"\s+")
    return re.compile(joined, _I | flags)


# -- sentences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """A sentence of the cleaned reply: its exact text and where it sits."""

    text: str
    start: int
    end: int
    paragraph: int


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|(?<=[.!?])[\"')\]]*$")
_HARD_WRAP_MIN = 60


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text`, each an exact slice; a line break ends a sentence unless the
    line looks hard-wrapped (long and followed by a lowercase continuation)."""
    out: list[Sentence] = []
    paragraph = 0
    for para in _spans(text, _PARAGRAPH_BREAK):
        lines = _spans(text, re.compile(r"\n"), *para)
        chunks: list[list[int]] = []
        for start, end in lines:
            line = text[start:end]
            if not line.strip():
                continue
            prev = chunks[-1] if chunks else None
            wrapped = (
                prev is not None
                and prev[1] - prev[0] >= _HARD_WRAP_MIN
                and not re.search(r"[.!?:;]\s*$", text[prev[0] : prev[1]])
                and re.match(r"\s*[a-z(]", line)
            )
            if wrapped and prev is not None:
                prev[1] = end
            else:
                chunks.append([start, end])
        for start, end in chunks:
            for s, e in _spans(text, _SENTENCE_END, start, end):
                piece = text[s:e]
                stripped = piece.strip()
                if not stripped:
                    continue
                lead = len(piece) - len(piece.lstrip())
                out.append(Sentence(stripped, s + lead, s + lead + len(stripped), paragraph))
        paragraph += 1
    return out


def _spans(
    text: str, separator: re.Pattern[str], start: int = 0, end: int | None = None
) -> list[tuple[int, int]]:
    """The (start, end) spans between `separator` matches in text[start:end]."""
    end = len(text) if end is None else end
    spans, cursor = [], start
    for m in separator.finditer(text, start, end):
        spans.append((cursor, m.start() if m.group(0).strip() == "" else m.end()))
        cursor = m.end()
    spans.append((cursor, end))
    return [(s, e) for s, e in spans if e > s]


def _norm(text: str) -> str:
    """Curly apostrophes straightened; same length, so match offsets stay valid."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


# -- cues -------------------------------------------------------------------------------------

_NEGATION = re.compile(
    r"\b(?:not|no|never|don't|dont|do not|doesn't|does not|didn't|won't|will not|wouldn't|"
    r"isn't|aren't|can't|cannot|nor|without|hardly|rather not|no need to|kein\w*|nicht|"
    r"pas|jamais|nunca)\b",
    _I,
)
_CLAUSE_BREAK = re.compile(r"[,;:]|\bbut\b|\bhowever\b|\baber\b|\bmais\b|\bpero\b", _I)


def _negated(sentence: str, at: int) -> bool:
    """True if a negation precedes position `at` in the same clause (within 40 chars)."""
    window = sentence[max(0, at - 40) : at]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return bool(_NEGATION.search(window))


def _find(pattern: re.Pattern[str], sentence: str, *, negatable: bool) -> bool:
    text = _norm(sentence)
    return any(not (negatable and _negated(text, m.start())) for m in pattern.finditer(text))


_BOUNCE = _any(
    r"delivery status notification",
    r"\bundeliverable\b",
    r"undelivered mail",
    r"mail delivery (?:failed|failure|subsystem|system)",
    r"delivery (?:has )?failed",
    r"(?:could not|couldn't|cannot|can't|was not|wasn't) be(?:en)? delivered",
    r"message (?:not|could not be) delivered",
    r"returned mail",
    r"delivery to the following recipients? failed",
    r"\buser unknown\b",
    r"no such (?:user|mailbox|recipient)",
    r"mailbox (?:unavailable|not found|does not exist|is full|full)",
    r"recipient address rejected",
    r"address (?:not found|rejected)",
    r"\b55[0-4][ -]#?5\.\d\.\d+",
    r"^\s*(?:final-recipient|diagnostic-code)\s*:",
    r"^\s*action\s*:\s*failed",
    r"the (?:e-?mail )?account (?:that )?you tried to reach does not exist",
    r"permanent (?:error|failure)",
    r"unzustellbar",
    r"nicht zugestellt",
    r"non remis",
    r"échec de (?:la )?(?:remise|distribution)",
    r"no se (?:puede|pudo) entregar",
    r"did not reach (?:some or all of )?the intended recipients?",
    r"following recipient(?:\(s\)|s)? could not be reached",
    r"recipient not found",
    r"(?:unknown|invalid) (?:user|recipient|address|mailbox)",
    r"had (?:permanent fatal errors|delivery problems)",
    r"error delivering your (?:mail|message)",
    r"could not deliver (?:for|to|your|the message)",
    r"mail returned to sender",
    r"your message .{0,40}was automatically rejected",
    r"transcript of (?:the )?session follows",
    r"could not send message for past",
    r"this is the mail system at host",
    r"delivery has failed to these recipients",
    r"your message (?:was|has been) rejected\b",
    r"(?:hop count|retry (?:timeout|time)) exceeded",
    r"^\s*(?:was|were|has not been|could not be) not delivered to\s*:?\s*$",
    r"^\s*was not delivered to\s*:",
    r"\bnot listed in (?:the )?(?:\w+ )?(?:public )?(?:address book|directory)\b",
    flags=re.MULTILINE,
)
_BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster@|mail delivery (?:subsystem|system)", _I)

_UNSUBSCRIBE = _any(
    r"\bunsubscribe\b",
    r"\bremove (?:me|us|my (?:e-?mail|address|name|details|contact\w*))\b",
    r"\btake (?:me|us|my (?:e-?mail|address|name)) off\b",
    r"\boff (?:of )?(?:your|the|this|that|these|all|any) (?:[\w-]+ ){0,2}?(?:list|lists|"
    r"sequence|cadence|campaign)s?\b",
    r"\bdo[- ]not[- ](?:contact|call|e-?mail|mail)\b",
    r"\bsuppression list\b",
    r"\b(?:prefer|like|want|wish|ask) not to (?:receive|get|be sent|hear)\b",
    r"\b(?:don't|do not|no longer) (?:want|wish) to (?:receive|get|hear from)\b",
    r"\bstop (?:e-?mailing|emailing|contacting|sending|messaging|writing|spamming)\b",
    r"\b(?:don't|do not|never) (?:e-?mail|contact|write to|message|reach out to|spam) (?:me|us)\b",
    r"\b(?:don't|do not|never) (?:e-?mail|contact|write to|message) (?:me|us) again",
    r"\bno more (?:e-?mails|emails|messages)\b",
    r"\bopt(?:-| )?(?:me )?out\b",
    r"\bdelete (?:my|our|all my) (?:personal )?(?:data|information|details|contact)",
    r"\bgdpr\b.{0,80}\b(?:delete|erase|remove|erasure)",
    r"\b(?:delete|erase|remove)\b.{0,80}\bgdpr\b",
    r"right to (?:be forgotten|erasure)",
    r"\bleave me alone\b",
    r"^\s*(?:remove|stop|stop it|unsub|opt out)\s*[.!]*\s*$",
    r"\babmelden\b",
    r"\baustragen\b",
    r"keine (?:weiteren )?(?:e-?mails|nachrichten|werbung)",
    r"nicht mehr (?:kontaktieren|anschreiben|schreiben)",
    r"désinscri|desinscri|désabonn|desabonn",
    r"ne plus (?:me |nous )?(?:contacter|recevoir|écrire|ecrire)",
    r"retirez[- ]moi",
    r"dar(?:me|nos)? de baja",
    r"\bbaja de (?:la|su|sus) lista",
    r"no (?:me |nos )?(?:contacten|escriban|envíen|envien) más",
    r"eliminar mis datos",
    r"\b(?:kontaktieren|anschreiben|anrufen|mailen) sie (?:mich|uns) (?:bitte )?(?:nicht mehr|"
    r"nie wieder)\b",
    r"\b(?:löschen|entfernen) sie (?:bitte )?(?:meine|unsere|alle meine) (?:\w+)?daten\b",
    r"\bdsgvo\b.{0,80}\b(?:lösch|entfern)|\b(?:lösch|entfern)\w*\b.{0,80}\bdsgvo\b",
    r"\b(?:supprimer|supprimez|effacer|effacez) (?:mes|nos|toutes mes) données\b",
    r"\b(?:borrar|borren|eliminen|suprimir) (?:mis|nuestros) datos\b",
)

_OOO_HEADER_SUBJECT = _any(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?reply|auto(?:matic)? response|"
    r"out of (?:the )?office|ooo\b|away from|abwesend|abwesenheitsnotiz|automatische antwort|"
    r"réponse automatique|reponse automatique|absence|respuesta automática|"
    r"respuesta automatica|fuera de la oficina|vacation|on leave)",
)
_OOO = _any(
    r"\bout of (?:the )?office\b",
    r"\bOOO\b",
    r"\bautomatic reply\b",
    r"\bauto[- ]?reply\b",
    r"\b(?:i am|i'm|i will be|i'll be|currently|presently)\s+(?:\w+\s+){0,2}?"
    r"(?:on (?:\w+ )?leave|on (?:vacation|holidays?|a business trip|sabbatical)|"
    r"away|travell?ing|out (?:of|until|till|through|from|on))\b",
    r"\bon (?:annual|parental|maternity|paternity|sick|medical|extended) leave\b",
    r"\b(?:limited|intermittent|no|restricted) access to (?:my )?e-?mails?\b",
    r"\blimited (?:e-?mail|connectivity)\b",
    r"\baway from (?:the office|my desk|e-?mail|my e-?mail)\b",
    r"\b(?:respond|reply|get back to you|answer)\b.{0,40}\b(?:upon|on|after|when i) "
    r"(?:my )?return\b",
    r"\breturning to the office\b",
    r"\bback in the office\b",
    r"abwesenheitsnotiz",
    r"\babwesend\b",
    r"nicht im büro",
    r"außer haus|ausser haus",
    r"im urlaub",
    r"wieder im büro",
    r"\babsente? du bureau\b",
    r"\ben congés?\b",
    r"\ben vacances\b",
    r"\babsente? jusqu",
    r"fuera de la oficina",
    r"de vacaciones",
    r"\bausente\b",
    r"estaré fuera|estare fuera",
)

_WRONG_PERSON = _any(
    r"\bnot the (?:right|correct|best|appropriate|relevant) (?:person|contact|one|people|team)\b",
    r"\bwrong (?:person|contact|e-?mail|address|department|team)\b",
    r"\bi(?:'ve| have)? (?:moved|changed) (?:to|on|roles|positions|companies|teams|jobs)\b",
    r"\bno longer (?:with|at|work|working|employed|in (?:this|that) role|responsible|handle|"
    r"handling|in charge)\b",
    r"\b(?:have |i've |i )?left (?:the company|the firm|the business|\w+ (?:in|last))\b",
    r"\byou(?: should|'d need to| would need to| might want to| may want to| could| need to|"
    r"'ll want to|'d want to|'d better| want to) (?:talk|speak|reach out|contact|connect|"
    r"get in touch|e-?mail|write|ask)\b",
    r"\b(?:reach out|talk|speak|write|get in touch|connect|e-?mail) (?:to|with) "
    r"(?:my colleague|our (?:head|director|vp|cto|cio|ceo|cfo|coo|buyer|procurement|purchasing|"
    r"it|team))",
    r"\b(?:cc'?ing|cc-ing|copying|looping in|looped in|i(?:'ve| have) (?:cc'?d|copied|added|"
    r"looped in|forwarded))\b",
    r"\bforwarded (?:this|your (?:e-?mail|message|note)) to\b",
    r"\b(?:i'll|i will|i'm going to|let me|will) (?:forward|pass) (?:this|it|your (?:e-?mail|note|"
    r"message)) (?:on |along )?to\b",
    r"\bi(?:'ve| have) left (?!you\b|a\b|the message\b|word\b)",
    r"\b(?:is|are|'s|'re) (?:the )?(?:right|best|correct) (?:person|contact|people)\b",
    r"\b(?:who )?(?:handles|owns|is (?:responsible|in charge) (?:for|of)) (?:this|that|these|"
    r"purchasing|procurement|buying|it|vendor)",
    r"\bnicht (?:der|die) richtige (?:ansprechpartner\w*|person)",
    r"\bnicht (?:mehr )?zuständig",
    r"\bwenden sie sich (?:bitte )?an\b",
    r"\bpas la bonne personne\b",
    r"\bpas (?:le bon|la bonne) interlocut",
    r"\bje ne (?:travaille|suis) plus\b",
    r"\bcontactez plutôt\b",
    r"\bno soy la persona (?:adecuada|indicada|correcta)",
    r"\bya no trabajo\b",
    r"\bnot (?:my|our) (?:area|department|remit|field|domain|wheelhouse|responsibility|"
    r"(?:area|line) of (?:work|responsibility))\b",
    r"\b(?:i'm|i am|i'm actually|i am actually) not (?:\w+ )?responsible for (?:this|that|it|"
    r"these|purchasing|buying|procurement)\b",
    r"\b(?:is|'s|are|'re) (?:now )?your (?:new )?(?:contact|point of contact|person|people)\b",
    r"\b(?:e-?mail )?(?:address|mailbox|account|inbox) is no longer (?:monitored|active|in use|"
    r"used|checked|read)\b",
    r"(?-i:\b(?:has|have) left [A-Z])",
    r"\b(?:has|have) left (?:the|our|this) (?:company|firm|business|organi[sz]ation|team)\b",
    r"\bi(?:'ve| have)? (?:retired|moved on)\b|\b(?:has|have) retired\b",
    r"\bfinding the (?:right|correct) (?:person|contact)\b",
    r"\bfor (?:[\w-]+ ){0,3}(?:enquiries|inquiries|questions|matters),? (?:please )?(?:write|"
    r"e-?mail|contact|reach out|get in touch)\b",
    r"\b(?:please )?(?:contact|e-?mail|write to|reach out to|get in touch with|speak (?:to|with)|"
    r"talk (?:to|with)) (?:our|my) (?:cfo|ceo|coo|cto|cio|head|director|vp|manager|buyer|"
    r"procurement|purchasing|colleague|boss|owner|it|operations|ops|supply chain)\b",
    r"\b(?:purchasing|procurement|buying|this|it|that) is (?:centrali[sz]ed|handled|done|decided) "
    r"(?:at|by|in) (?:our )?(?:head office|hq|headquarters|group|(?:our|the) parent|corporate)\b",
    r"(?-i:\b[Yy]ou(?:'ll| will|'d)? want (?:to (?:talk|speak) to )?[A-Z][a-z]+\b)",
)

_SARCASM = _any(
    r"\b(?:because|cause|'cause|since|as) (?:i|we) (?:have|'ve got|got|have got) "
    r"(?:nothing better|so much (?:free )?time|all the time in the world)",
    r"\bnothing better to do\b",
    r"\byeah,? right\b",
    r"^\s*as if\b",
    r"\bthanks,? but no thanks\b",
    r"\bjust what (?:i|we) (?:needed|wanted)\b",
    r"\b(?:oh )?(?:great|wonderful|fantastic),? (?:another|more|yet another) "
    r"(?:sales|cold|spam|marketing)",
    r"\bnice try\b",
    r"\bnot in a million years\b",
    r"\bhard pass\b",
    r"\bwhen hell freezes over\b",
    r"\bi'll get right on (?:it|that)\b",
    r"\blol,? no\b",
)

_MEETING = _any(
    r"\b(?:set up|setup|schedule|book|arrange|organi[sz]e|find|grab|have|jump on|hop on|"
    r"get) (?:a |some |an )?(?:quick |short |brief |\d{1,2}[- ]?min(?:ute)?s? |half[- ]hour |"
    r"first |intro(?:ductory)? )?(?:call|meeting|chat|time|demo|zoom|teams (?:call|meeting)|"
    r"slot|session|conversation|walkthrough)\b",
    r"\b(?:can|could|shall|should) we (?:meet|talk|speak|chat|connect|hop on|jump on|"
    r"schedule|set up|do a)\b",
    r"\blet'?s (?:meet|talk|chat|connect|speak|schedule|set up|book|do a call|find a time|"
    r"get on a call)\b",
    r"\b(?:send|share) (?:me |us )?(?:a |an |your )?(?:calendar|meeting|zoom|teams) "
    r"(?:invite|invitation|link)",
    r"\bcalendly\b",
    r"\b(?:i'?m|i am|we'?re|we are) (?:free|available)\b",
    r"\bavailable (?:on |this |next )?(?:monday|tuesday|wednesday|thursday|friday|tomorrow|"
    r"next week|this week|at \d)",
    r"\bhow (?:about|does) (?:monday|tuesday|wednesday|thursday|friday|tomorrow|next week)",
    r"\bdoes (?:monday|tuesday|wednesday|thursday|friday|tomorrow) work\b",
    r"\b(?:monday|tuesday|wednesday|thursday|friday|tomorrow|next week)\b.{0,25}?"
    r"\b(?:works|would work|is fine|suits|is good|is ok|is okay)\b",
    r"\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b.{0,30}\b(?:works?|suits?|ok|okay|good|free)\b",
    r"\b(?:happy|glad|keen) to (?:meet|talk|chat|jump on|hop on|have a call|get on a call)\b",
    r"\b(?:would|'d) (?:love|like) to (?:meet|talk|chat|see a demo|set up|schedule|book)\b",
    r"\b(?:show|give) (?:me|us) a demo\b",
    r"\b(?:see|get|schedule|book|arrange|do) a (?:quick |short |live )?demo\b",
    r"\b(?:call|ring|phone) me\b",
    r"\bgive me a (?:call|ring)\b",
    r"\bbook(?:ed)? (?:a |some )?(?:slot|time)\b",
    r"\b(?:pick|choose|propose|suggest) a (?:time|slot|date)\b",
    r"\bterminvorschlag|\beinen termin\b|\btermin (?:vereinbaren|ausmachen)",
    r"\brendez-vous\b|\bune réunion\b|\bun appel\b",
    r"\buna reunión\b|\buna reunion\b|\buna llamada\b",
    r"\b(?:get|put|pencil|book) (?:something|a (?:call|meeting|slot|time|session)|some time|time|"
    r"it) (?:in|into) (?:the|my|our|your) (?:diary|diaries|calendar|calendars)\b",
    r"\b(?:mornings?|afternoons?|evenings?|(?:mon|tues|wednes|thurs|fri)days?) (?:are|is|work|"
    r"works) (?:best|better|good|fine|great) for (?:me|us)\b",
    r"\bany (?:day|time|morning|afternoon) (?:except|but|this week|next week|after|before|"
    r"between)\b",
    r"\byes,? (?:to|for) (?:a|the) (?:call|meeting|demo|chat|session)\b",
    r"\b(?:put|sign|count) (?:me|us) (?:down|up|in) for (?:the|a) (?:demo|call|meeting|session|"
    r"webinar|workshop|walkthrough)\b",
    r"\b(?:call|meeting|demo|chat) (?:is|sounds|would be) (?:fine|good|great|ok|okay|perfect)\b",
    r"\b(?:demo|call|meeting)(?: (?:this|next) week| tomorrow| on \w+day)? please\b",
    r"\bhow about (?:the )?\d{1,2}(?:st|nd|rd|th)\b",
    r"\b(?:can|could|would) you (?:present|demo|come (?:in|by|over)|visit|join us|walk us "
    r"through|show us)\b",
    r"\b(?:set up|book|schedule|grab|find) \d{1,3} ?(?:min|mins|minutes)\b",
)

_NOT_NOW = _any(
    r"\bnot (?:interested |looking (?:at (?:this|it|that|this topic) )?|a priority |a focus )?"
    r"(?:right now|now|at the moment|for now|just yet)\b",
    r"\b(?:look|revisit|review|consider|evaluate|think about) (?:at )?(?:this |it |that )?again\b",
    r"\bmaybe (?:in|next|after|around|towards) (?:q[1-4]|h[12]|the|\w+ (?:quarter|year))",
    r"\bmelden sie sich (?:bitte )?(?:\w+ ){0,3}wieder\b",
    r"\bnot at the moment\b",
    r"\bnot (?:just )?yet\b",
    r"\bnot this (?:quarter|year|month|half)\b",
    r"\bmaybe later\b",
    # "I'll get/come back to you" is the lead promising an answer, not a deferral.
    r"\b(?:circle|check|come) back\b(?! to you\b)",
    r"\b(?:come|get) back to you (?:after|in|next|once|when|around|towards|closer to)\b",
    r"\b(?:reach out|get back|follow up|touch base|ping|contact|try|e-?mail|write|reconnect|"
    r"talk|ask)(?: (?:to|with|in touch))?(?: (?:me|us))?(?: again)? (?:in|after|next|later|around|"
    r"closer to|once|when|towards|at the (?:start|end|beginning))\b",
    r"\brevisit (?:this |it )?(?:in|after|next|later)\b",
    r"\btoo (?:early|soon)\b",
    r"\b(?:bad|wrong) timing\b",
    r"\btiming (?:is|isn't|'s) (?:not )?(?:right|off|bad)\b",
    r"\bnot a priority (?:right now|at the moment|this|for)\b",
    r"\b(?:swamped|busy|slammed|tied up) (?:until|till|right now|at the moment|this)\b",
    r"\bafter (?:our|the) (?:budget|planning|fiscal|reorg|merger|migration|launch|holidays|"
    r"audit|freeze|rollout|implementation)",
    r"\bon hold\b",
    r"\blater (?:this|in the) (?:year|quarter)\b",
    r"\buntil next (?:year|quarter|month|fiscal year)\b",
    r"\b(?:derzeit|momentan|aktuell|im moment) (?:kein|nicht)",
    r"\bspäter (?:wieder )?(?:melden|kontaktieren)",
    r"\bpas (?:pour le moment|maintenant|tout de suite)\b",
    r"\brecontactez[- ](?:moi|nous)\b",
    r"\brevenez vers (?:moi|nous)\b",
    r"\bno por ahora\b",
    r"\ben este momento no\b",
    r"\bvuelva a contactar",
    r"\bmás adelante\b",
)

_NOT_INTERESTED = _any(
    r"\bnot interested\b",
    r"^\s*(?:no|nope|nah|no way|pass)\s*[.!]*\s*$",
    r"\b(?:isn't|is not|not) (?:something|anything) (?:we|i) (?:need|want|are looking for)",
    r"\bwho gave you my\b",
    r"\bno interest\b",
    r"\bno,? thanks?\b",
    r"\bno,? thank you\b",
    r"\bnot (?:a |the right |a good )?fit\b",
    r"\bnot relevant\b",
    r"\b(?:we're|we are|we're) (?:all )?set\b",
    r"\b(?:we )?already (?:use|have|work with|using|signed|chose|bought|partner)\b",
    r"\bhappy with (?:our|the) (?:current|existing)",
    r"\b(?:don't|do not) (?:need|want) (?:this|it|that|your|any|another)\b",
    r"\bno need for\b",
    r"\bnot for us\b",
    r"\b(?:we'll|i'll|we will|i will) pass\b",
    r"\bpass on this\b",
    r"\bdecided (?:to go|against)\b",
    r"\bwent with (?:another|a different|a competitor|\w+ instead)\b",
    r"\bchose (?:another|a different)\b",
    r"\bnot (?:looking|in the market)\b",
    r"\b(?:how|where) did you get my (?:e-?mail|address|details|number)\b",
    r"\bkein interesse\b",
    r"\bnicht interessiert\b",
    r"\bpas intéressée?s?\b",
    r"\bne nous intéresse pas\b",
    r"\bno (?:nos |me )?interesa\b",
    r"\bno estamos interesados\b",
    r"\b(?:isn't|is not|aren't|are not|not) (?:really |at all )?relevant\b",
    r"\bnot worth (?:it|the (?:effort|money|investment))\b",
    r"\b(?:build|built|building|develop|developing|do|doing) (?:it |this |that |something |our own "
    r"|one )?in-?house\b",
    r"\bdecided to (?:build|develop|stay|keep|stick|go with|use|continue)\b",
    r"\bthanks? (?:you )?anyway\b",
    r"\bdo your (?:research|homework)\b",
    r"\bthere (?:won't|will not|will be no|is no) (?:be )?(?:a |any )?(?:project|budget|purchase|"
    r"investment|need)\b",
    r"\bpas pour nous\b|\b(?:travaillons|utilisons|avons) déjà\b",
    r"\bno es para nosotros\b|\bya (?:trabajamos|tenemos|usamos)\b",
    r"\bnichts für uns\b|\b(?:arbeiten|haben) (?:bereits|schon) (?:mit|ein)\b",
)

_QUESTION = _any(
    r"\bhow (?:does|do|much|many|long|would|is|are|can)\b",
    r"\bwhat (?:does|do|is|are|would|'s|about)\b",
    r"\bdo you (?:support|integrate|offer|have|work|provide|handle)\b",
    r"\bdoes (?:it|this|your)\b",
    r"\b(?:can|could) you (?:send|share|explain|tell|clarify|confirm)\b",
    r"\b(?:i'?d|i would) (?:like|love) to (?:know|understand)\b",
    r"\b(?:i'?m|i am) (?:curious|wondering)\b",
    r"\b(?:wondering|curious) (?:if|whether|how|what|about)\b",
    r"\b(?:send|share)(?: over| across)? (?:me |us )?(?:some |more |the |your )?(?:info|"
    r"information|details|pricing|prices|the price list|a price list|a rate card|a deck|a brochure|"
    r"a case study|case studies|a quote)",
    r"\bis there (?:a|an|any)\b",
    r"\bwie (?:viel|funktioniert)\b",
    r"\bcombien\b",
    r"\bcuánto|cuanto cuesta\b",
)

_INTERESTED = _any(
    r"\b(?:sounds|looks|seems) (?:really |very )?(?:interesting|great|good|promising|useful|"
    r"relevant|compelling)\b",
    r"\binterested\b",
    r"\btell me more\b",
    r"\b(?:keen|eager|happy|open|curious) to (?:learn|hear|explore|discuss|see|know|try)\b",
    r"\b(?:we're|we are|i'm|i am) (?:actively )?(?:looking at|exploring|evaluating|"
    r"considering|researching|in the market)\b",
    r"\b(?:this|that|it) (?:could|might) (?:be|help)\b",
    r"\b(?:would|could) be (?:useful|helpful|great|interesting|valuable)\b",
    r"\bi like (?:the|this|what)\b",
    r"\bworth (?:a|exploring|a look|discussing|a conversation)\b",
    r"\b(?:good|perfect|great) timing\b",
    r"\bintéress|\binteressant\b|\bme interesa\b|\bnos interesa\b",
)

_SIGNALS: dict[str, re.Pattern[str]] = {
    "pricing": _any(
        r"\bpric(?:e|es|ing)\b",
        r"\bcosts?\b",
        r"\bquote\b",
        r"\bhow much\b",
        r"\blicen[cs]e (?:fee|cost)",
        r"\b(?:plans|tiers|rates)\b",
        r"\bavailability\b",
        r"\blead time\b",
        r"\bpreis|\bkosten\b|\bprix\b|\btarif|\bprecio",
    ),
    "budget": _any(
        r"\bbudget",
        r"\bapprov(?:al|ed)\b",
        r"\bprocurement\b",
        r"\bpurchase order\b",
        r"\bsign-?off\b",
    ),
    "features": _any(
        r"\bintegrat",
        r"\bdo(?:es)? (?:it|you) (?:support|work|handle|offer)",
        r"\bfeatures?\b",
        r"\b(?:api|sso|sap|salesforce|erp|crm)\b",
        r"\bworks? with\b",
        r"\buse cases?\b",
        r"\bcompatib",
        r"\bcapabilit",
    ),
    "competitors": _any(
        r"\bcompared? (?:to|with)\b",
        r"\bvs\.?\b",
        r"\bversus\b",
        r"\bcurrently (?:use|using|on)\b",
        r"\bswitch(?:ing)? from\b",
        r"\balternative to\b",
        r"\bcompetitor",
        r"\bdifferent from\b",
    ),
    "demo": _any(
        r"\bdemo\b",
        r"\btrial\b",
        r"\bpilot\b",
        r"\bproof of concept\b",
        r"\bpoc\b",
        r"\bsandbox\b",
        r"\bwalk ?through\b",
        r"\btest drive\b",
    ),
    "urgency": _any(
        r"\basap\b",
        r"\bas soon as possible\b",
        r"\burgent",
        r"\bthis (?:quarter|month|week)\b",
        r"\bnext (?:month|quarter|few weeks)\b",
        r"\bby (?:the )?(?:end of )?(?:january|february|march|april|may|june|july|august|"
        r"september|october|november|december|q[1-4]|year[- ]end|the end of)\b",
        r"\bwithin (?:the next )?(?:\d+|a|one|two|three|four|six) (?:days?|weeks?|months?)\b",
        r"\bin the next (?:\d+|few|two|three) (?:weeks|months)\b",
        r"\bdeadline\b",
        r"\bgo-?live\b",
        r"\bimmediately\b",
    ),
    "roi": _any(
        r"\broi\b",
        r"\breturn on investment\b",
        r"\bcase stud",
        r"\breferences?\b",
        r"\bcustomers like\b",
        r"\bsuccess stor",
        r"\bpayback\b",
        r"\bsavings?\b",
        r"\bbusiness case\b",
    ),
}

_BANT_CUES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # dimension: (met, not met); not met is checked first within a sentence.
    "budget": (
        _any(
            r"\b(?:we|i)(?: have|'ve got|'ve| got| do have| have got) (?:a |the |some |an "
            r"approved )?budget\b",
            r"\bbudget\b(?:(?!\b(?:need|needs|if|until|once|whether|to be|not|yet|pending|"
            r"waiting)\b)[^.;?]){0,40}\b(?:approved|allocated|signed off|secured|confirmed|"
            r"earmarked)\b",
            r"\b(?:budget|money|cost|price) (?:is not|isn't|won't be|will not be) (?:an? |the )?"
            r"(?:issue|problem|concern|obstacle|constraint)\b",
            r"\b(?:set aside|allocated|earmarked|approved|reserved|ring-?fenced) (?:about |around |"
            r"roughly |approximately |up to )?[$€£]\s?\d",
            r"\bsign-?off (?:up to|of|for) (?:about |around )?[$€£]?\s?\d",
            r"\bbudget (?:is |has been |was |got )?(?:approved|allocated|set aside|signed off|"
            r"secured|available|in place|earmarked|confirmed|reserved)",
            r"\b(?:approved|allocated|secured|set aside|earmarked) (?:a |the |some )?budget\b",
            r"[$€£]\s?\d[\d,.]*\s?(?:k|m|mm|million|thousand)?\b.{0,40}"
            r"\b(?:set aside|allocated|earmarked|budget(?:ed)?|approved|reserved)",
            r"\bbudget(?:ed)? (?:of|for) (?:about |around |up to )?[$€£]?\s?\d",
            r"\bfunding (?:is |has been )?(?:approved|secured|in place)\b",
            r"\bbudget (?:steht|ist freigegeben|genehmigt)",
            r"\b(?:nous )?avons (?:un |le )?budget\b",
            r"\btenemos (?:el |un )?presupuesto\b",
        ),
        _any(
            r"\bno budget\b",
            r"\b(?:don't|do not|doesn't|does not) have (?:the |a |any )?budget\b",
            r"\bbudget (?:is |has been |was )?(?:frozen|cut|exhausted|spent|gone|tight|zero)",
            r"\bbudget freeze\b",
            r"\bnot sure (?:about|we have|if we have|we'll have) (?:the |a |any )?budget",
            r"\bbudgets? (?:[\w-]+ ){0,5}?(?:is|are|has been|have been|was|were) (?:\w+ )?"
            r"(?:frozen|cut|exhausted|spent|gone|tight|locked(?! in)|used up)\b",
            r"\b(?:spending|spend|purchasing|procurement|hiring and spending) freeze\b",
            r"\bcan(?:'t|not) afford\b",
            r"\bno (?:money|funding|funds)\b",
            r"\bkein budget\b",
            r"\bpas de budget\b",
            r"\bsin presupuesto\b|\bno tenemos presupuesto\b",
        ),
    ),
    "authority": (
        _any(
            r"\bi (?:make|own|sign off on|approve) (?:the |this |that |these |all )?"
            r"(?:call|decision|decisions|purchase|purchases|budget)",
            r"\bi(?:'m| am) the (?:final )?(?:decision[- ]maker|budget holder|buyer|one who "
            r"decides)",
            r"\b(?:it's|it is) my (?:call|decision)\b",
            r"\bi (?:have|hold) (?:the )?(?:authority|sign-?off|final say)\b",
            r"\bi can (?:approve|sign|make the decision)\b",
            r"\bi(?:'m| am) responsible for (?:purchasing|buying|procurement|this decision|"
            r"vendor selection|the budget)",
            r"\bich entscheide\b|\bc'est moi qui décide\b|\byo decido\b",
        ),
        _any(
            r"\brun (?:this|it|that) (?:by|past) (?:my|our|the)\b",
            r"\bnot (?:my|our) (?:decision|call)\b",
            r"\b(?:need|needs|would need|'d need) (?:approval|sign-?off|buy-?in|a green light) "
            r"from\b",
            r"\bi (?:don't|do not) (?:make|own) (?:the |these |those |that )?(?:decisions?|call)",
            r"\babove my pay grade\b",
            r"\b(?:need|have|'d need) to get (?:my|our|the) (?:boss|manager|cfo|ceo|director|vp|"
            r"board|head|finance|team|leadership)(?:'s)? (?:on board|to sign|to approve|approval|"
            r"sign-?off)",
            r"\b(?:have|need) to (?:check|clear it|clear this) with (?:my|our)\b",
            r"\b(?:my|our) (?:boss|manager|cfo|ceo|board|director) (?:decides|makes the call|"
            r"has the final say|would (?:need|have) to)",
            r"\bnicht meine entscheidung\b|\bpas ma décision\b|\bno es mi decisión\b",
        ),
    ),
    "need": (
        _any(
            r"\b(?:we|i) (?:struggle|are struggling|'re struggling|have struggled) with\b",
            r"\bour (?:biggest |main |real |current )?(?:problem|challenge|pain(?: point)?|issue|"
            r"bottleneck|headache) (?:is|are|has been|right now)\b",
            r"\b(?:we|i) (?:really |urgently |definitely |do )?need (?:a|an|to|better|something|"
            r"help|more|some|this|it)\b",
            # Pain in the lead's own words: shortages, surplus, manual work, lost business.
            r"\b(?:we|i) (?:keep|kept) (?:running out|losing|missing|having to)\b",
            r"\b(?:we(?:'ve| have)? had|we get|we see|we're seeing|there are) (?:\w+ ){0,3}?"
            r"(?:stock-?outs|shortages|delays|errors|complaints|write-?offs)\b",
            r"\b(?:stock-?outs|shortages|overstock\w*|excess (?:stock|inventory)|dead stock|"
            r"write-?offs|forecast (?:error|accuracy))\b.{0,60}\b(?:cost|costs|costing|killing|"
            r"hurting|eating|is|are|has been|up|sitting)\b",
            r"\b(?:too much|excess|zu viel) (?:stock|inventory|manual work|lagerbestand|"
            r"overstock)\b",
            r"\b(?:are|is) (?:over-?stocked|under-?stocked)\b",
            r"\b(?:drowning|a nightmare|killing (?:us|our)|at (?:its|their|our) limits?|"
            r"falling apart)\b",
            r"\b(?:forecasts?|numbers|plans?|figures) (?:are|is) (?:way |always |often |still )?"
            r"off\b",
            r"\b(?:spend|spends|spending|waste|wastes) (?:\w+ ){0,3}?(?:in (?:excel|spreadsheets)|"
            r"on manual|doing this by hand)",
            r"\b(?:we|i) (?:lost|lose|are losing|'re losing) (?:\w+ ){0,3}?(?:accounts|customers|"
            r"clients|deals|sales|orders|margin|money)\b",
            r"\b(?:put us on notice|the pain\s*:|(?:a|our) real problem)\b",
            r"\bexactly (?:our|the) (?:problem|issue|pain|challenge|situation)\b",
            r"\bexactly what (?:my|our) \w+ (?:do|does|struggle)",
            r"\b(?:asked|need|needs|have) to (?:fix|solve|sort out)\b",
            r"\b(?:we're|we are) (?:\w+ )?(?:reviewing|replacing|overhauling|re-?evaluating) "
            r"(?:how we|our)\b",
            r"\bruptures?\b|\broturas? de stock\b|\bfehlbest(?:ä|ae)nde\b",
            r"\blooking for (?:a|an) (?:way|solution|tool|platform|partner|vendor|system|"
            r"replacement)\b",
            r"\b(?:we're|we are) (?:trying|looking) to (?:fix|solve|replace|improve|reduce|"
            r"automate|cut|get rid of)\b",
            r"\bpain point\b",
            r"\b(?:we're|we are) losing\b",
            r"\bcan(?:'t|not) keep up\b",
            r"\b(?:still|all) (?:done |handled )?(?:manually|by hand|in spreadsheets|in excel)\b",
            r"\bwir brauchen\b|\bnous avons besoin\b|\bnecesitamos\b",
        ),
        _any(
            r"\b(?:we|i) (?:don't|do not) (?:need|have a need)\b",
            r"\b(?:isn't|is not|not) (?:something|anything) (?:we|i) need\b",
            r"\bno need for\b",
            r"\b(?:we're|we are) (?:all )?set\b",
            r"\bhappy with (?:our|the) (?:current|existing)",
            r"\b(?:it|that|our (?:current )?(?:setup|process|system|tool)) works (?:fine|well|"
            r"great)\b",
            r"\bwe already (?:have|use)\b",
            r"\bour (?:problem|issue|challenge) (?:isn't|is not|'s not)\b",
            r"\b(?:we|i) (?:don't|do not|dont) (?:have|hold|carry|keep|run|stock) (?:any )?"
            r"(?:['\"‘]|stock|inventory|warehouses?|distribution|physical|a supply chain)",
        ),
    ),
    "timing": (
        _any(
            r"\bthis (?:quarter|month|week)\b",
            r"\bnext (?:month|quarter|few weeks)\b",
            r"\bby (?:the )?(?:end of )?(?:january|february|march|april|may|june|july|august|"
            r"september|october|november|december|q[1-4]|year[- ]end|the end of)\b",
            r"\bwithin (?:the next )?(?:\d+|a|one|two|three|four|six) (?:days?|weeks?|months?)\b",
            r"\bin the next (?:\d+|few|two|three|six) (?:weeks|months)\b",
            r"\basap\b",
            r"\bas soon as possible\b",
            r"\burgent(?:ly)?\b",
            r"\bimmediately\b",
            r"\bdeadline\b",
            r"\bgo-?live (?:is |in |by )",
            r"\b(?:need|want) (?:this|it) (?:yesterday|now|immediately)\b",
            r"\bby (?:the )?(?:end of (?:the )?(?:month|quarter|year|week)|\d{1,2}(?:st|nd|rd|th)? "
            r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
            r"\b(?:due|deadline) (?:by |on |at |is )?(?:the )?(?:end of|\d|next|this)",
            r"\b(?:decision|decide|deciding|vendor|rfp|go(?:ing)? live|rollout|roll out|launch|"
            r"implementation|contract|selection|picked|selected|live)\b.{0,40}\b(?:by|before|"
            r"due|on|in|until|goes out)\b (?:the )?(?:end of|\d|q[1-4]|h[12]|next|then|jan|feb|"
            r"mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
            r"\bbefore (?:the |our )(?:[\w-]+ ){0,2}?(?:peak|season|steering committee|"
            r"board meeting|year-?end|holidays|christmas)\b",
            r"\bbefore (?:peak|the holidays|christmas|year-?end)\b",
            r"\b(?:next|this|the coming) (?:fiscal|financial|budget) year\b",
            r"\bin (?:h[12]|q[1-4])\b",
            r"\bin the (?:coming|next couple of|next few) (?:weeks|months|days)\b",
            r"\b(?:bis|vor) (?:ende )?(?:q[1-4]|januar|februar|märz|april|mai|juni|juli|august|"
            r"september|oktober|november|dezember)\b",
        ),
        _any(
            r"\bnot for (?:at least |another )?(?:a|one|two|\d+|several|many) (?:years?|months)\b",
            r"\bno (?:rush|timeline|urgency|hurry)\b",
            r"\bnext year at the earliest\b",
            r"\bnot (?:this|until next) year\b",
            r"\bnot a priority\b",
            r"\bon hold\b",
            r"\byears? away\b",
            r"\bnot (?:any ?time|anytime) soon\b",
            r"\bnot (?:before|until) (?:next|the end of|after)\b",
            r"\b(?:not|no) in a (?:rush|hurry)\b",
            r"\b(?:bad|wrong) timing\b|\btiming is (?:bad|wrong|off|not right)\b",
            r"\bnot (?:a )?(?:good|great|the right) (?:time|moment)\b",
            r"\bno (?:capacity|bandwidth|headspace)\b|\bkeine (?:kapazität|zeit|ressourcen)\b",
            r"\bnext-?year project\b|\blater (?:in|this) (?:the )?year\b",
            r"\b(?:tied up|busy|swamped|slammed) with\b|\bmid-(?:migration|project|rollout)\b",
            r"\bpas (?:pour le moment|maintenant)\b|\bno es (?:buen|el) momento\b",
        ),
    ),
}

# -- prompt injection ---------------------------------------------------------------------------

_AI_NAMES = (
    r"(?:ai|a\.i\.|assistants?|bots?|agents?|chatgpt|gpt|llms?|language models?|"
    r"qualification engine)"
)
_INJECTION = _any(
    # "ignore the above / all previous ..."; not "ignore my previous email" (a lead
    # correcting herself).
    r"\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instructions?|prompts?|rules|"
    r"guidelines|directives|programming|system prompt|configuration)\b",
    r"\b(?:ignore|disregard|forget)\b(?: (?:all|any|every|of|the|your|these|those|everything))* "
    r"(?:above|previous|prior|earlier)\b(?! (?:e-?mails?|messages?|notes?|mails?|repl(?:y|ies)|"
    r"answers?|dates?|times?|points?|comments?|questions?|attachments?))",
    r"\bnew instructions?\b",
    r"\byou are now\b",
    r"\bfrom now on,? (?:you|respond|reply|answer|always|only|act|treat|mark|ignore)\b",
    r"\byou(?:'re| are) (?:an? )?(?:ai|assistant|bot|language model|llm|agent)\b",
    r"\bas an (?:ai|a\.i\.|artificial intelligence|language model)\b",
    r"\b(?:act|behave|respond) as (?:if|an?|the)\b",
    r"\bpretend (?:to be|you)\b",
    # Role-play as the people who configure the agent.
    r"\bas (?:your|the) (?:system |site |it |crm )?(?:admin(?:istrator)?|developer|operator|"
    r"creator|programmer|sysadmin|owner of this (?:system|bot|agent))\b",
    r"\b(?:admin|developer|god|debug|maintenance|sudo|root|unrestricted) mode\b",
    r"\bi am (?:instructing|ordering|commanding|authori[sz]ing|directing) you\b",
    # A line addressed to the machine: "SYSTEM:", "Assistant, ...", "AI agent: ...".
    r"^\W*(?:(?:ai|sales|email|crm) )?(?:system|assistant|developer|admin|agent|bot|model|ai|"
    r"llm|gpt|chatgpt)\s*[:,]",
    r"\[\s*/?\s*(?:system|inst|assistant)\s*\]|<\s*/?\s*(?:system|instructions?|prompt)\s*>",
    r"#{2,}\s*(?:instruction|system|override|prompt)",
    r"```\s*(?:system|prompt|instructions?|assistant|config)\b",
    # Machine-readable verdicts: JSON keys, assignments, YAML lines.
    r"[\"']\s*(?:intent|purchase_interest|bant|qualified|lead_status|status|verdict|handoff\w*|"
    r"rule|score|rating|stage|fit_level)\s*[\"']\s*:",
    r"\b(?:purchase_interest|intent|bant(?:\.\w+)?|handoff_target|handoff|rule|lead_status|"
    r"qualified|lead_score|fit_level|injection_suspected)\s*=\s*[\"']?\w",
    r"^\s*(?:intent|purchase_interest|lead_status|qualified|handoff_target|fit_level|verdict)"
    r"\s*:\s*[\"']?(?:true|false|yes|high|met|qualified|seller|sales|hot|\w+_\w+)[\"']?\s*$",
    r"^\s*status\s*:\s*(?:qualified|hot|sql|mql|closed[- ]won|sales[- ]ready)\s*$",
    # Hidden text in an HTML reply is written for a machine, not a person.
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?:px|pt)?\b",
    r"\bmark (?:me|us|this lead|the lead|this contact|him|her|them)\b.{0,20}\b(?:as )?"
    r"(?:qualified|hot|sales[- ]ready|a qualified|sql|mql|high)",
    r"\bmark (?:the|this|my|our) (?:deal|opportunity|lead|contact|account|record)\b.{0,20}\bas\b",
    r"\b(?:classify|label|tag|score|rate|categori[sz]e) (?:me|us|this|the|my)"
    r"(?: (?:lead|contact|prospect|deal|e-?mail|reply|message))? as\b",
    r"\b(?:qualify|escalate) (?:me|us|this lead)\b",
    r"\bset (?:my|the|this|our)(?: (?:contact|lead|prospect|deal|account)(?:'s)?)? (?:purchase )?"
    r"(?:status|rating|score|bant|intent|interest|stage)\b",
    r"\b(?:the|this) (?:lead|prospect|user|contact) (?:is|has|meets|should be)\b",
    r"\bbant\s*[:=]",
    r"\b(?:hand|route|pass) (?:me|us|this lead) (?:off |over )?to (?:sales|a seller|the seller)",
    r"\bupdate the crm\b",
    rf"\b(?:dear|hey|hi|hello|attention|note to(?: the| all| any)?|to the|to any|to all) "
    rf"{_AI_NAMES}\b",
    rf"\b{_AI_NAMES} (?:processing|reading|handling|parsing|summari[sz]ing|analy[sz]ing|"
    rf"screening|triaging) (?:this|my) (?:e-?mail|message|reply|note|thread)\b",
    r"\bif you(?:'re| are) an? (?:ai|bot|assistant|language model|llm)\b",
    r"\b(?:ai|sales|email) (?:agent|assistant|bot) reading this\b",
    # Prompt leaks and data exfiltration.
    r"\b(?:print|show|reveal|repeat|output|display|share|leak|dump|tell me)\b.{0,30}\b"
    r"(?:system prompt|your prompt|your (?:hidden |initial |original )?instructions|"
    r"(?:initial|hidden|original) prompt|your configuration)\b",
    r"\b(?:name of the|which) (?:ai |language )?(?:model|llm) (?:you(?:'re| are)? (?:running|"
    r"run|built|based)|(?:are you|powers you|is behind you))",
    r"\b(?:e-?mail addresses|contact details|phone numbers) of (?:your|all your) (?:other )?"
    r"(?:customers|clients|users|leads|prospects)\b",
    r"\bjailbreak\b|\bprompt injection\b",
    r"\bignorier\w* (?:alle |die )?(?:vorherigen |bisherigen )?anweisungen\b",
    r"\bignore[zr]? (?:les |toutes les )?(?:instructions|consignes)\b",
    r"\bignora (?:las |todas las )?(?:instrucciones|indicaciones)\b",
    flags=re.MULTILINE,
)
# A sentence that turns back to the seller ends an injected payload ("Real answer: ...").
_BACK_TO_REAL = _any(
    r"^\W*(?:real (?:answer|talk|question|note|reply)|on a (?:real|serious|more serious|"
    r"practical) note|(?:but |ok,? )?seriously|in all seriousness|(?:all )?joking aside|"
    r"kidding aside|just kidding|anyway|anyhow|separately|also|that said|to answer your|"
    r"back to (?:your|the|business))\b"
)
_TAG = re.compile(r"<[^>]{0,300}>")


def _instructs_agent(text: str) -> bool:
    """True if the text gives the agent instructions (tags kept: hidden styles are a cue)."""
    text = _norm(text)
    return bool(_INJECTION.search(text) or _INJECTION.search(_TAG.sub(" ", text).strip()))


def injected_sentences(sentences: list[Sentence]) -> set[int]:
    """Indices of sentences that instruct the agent, and those after them in their paragraph
    (the instruction's payload) up to a sentence that turns back to the seller."""
    injected: set[int] = set()
    payload_paragraph: int | None = None
    for i, sentence in enumerate(sentences):
        if _instructs_agent(sentence.text):
            injected.add(i)
            payload_paragraph = sentence.paragraph
        elif (
            sentence.paragraph == payload_paragraph
            and not _BACK_TO_REAL.search(_norm(sentence.text))
            # A payload states claims or gives orders; a question is the lead's own.
            and not sentence.text.rstrip().endswith("?")
        ):
            injected.add(i)
        else:
            payload_paragraph = None
    return injected


def injected_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text` taken as prompt injection."""
    sentences = split_sentences(text)
    return [(sentences[i].start, sentences[i].end) for i in sorted(injected_sentences(sentences))]


def injected_text(text: str) -> list[str]:
    """The sentences of `text` that are taken as prompt injection (see `injected_sentences`)."""
    sentences = split_sentences(text)
    return [sentences[i].text for i in sorted(injected_sentences(sentences))]


# -- referral -------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_NAME = (
    r"[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:\s+(?:van|von|de|der|da|di|del|le|la)?\s*[A-ZÀ-Ý][a-zà-ÿ'’-]+){0,2}"
)
_TITLE_WORDS = r"(?:[A-Z][\w&/-]*|of|and|for|&)(?:\s+(?:[A-Z][\w&/-]*|of|and|for|&)){0,6}"
_NAME_BEFORE_EMAIL = re.compile(rf"(?P<name>{_NAME})\s*(?:\(|<|\[|-|–|,|at|:)?\s*$")
_REFERRAL_VERBS = (
    r"(?i:talk|speak|reach out|get in touch|connect|write|e-?mail|contact|ask|try(?: reaching)?|"
    r"cc'?ing|cc-ing|"
    r"copying|looping in|looped in|cc'?d|copied|forwarded (?:this|your (?:e-?mail|message|note))|"
    r"wenden sie sich|contactez|contacte)"
)
_NAME_AFTER_VERB = re.compile(
    rf"{_REFERRAL_VERBS}\s+(?i:(?:to|with|an|à|a)\s+)?(?:(?i:my colleague|our|my|mein\w*|notre|"
    rf"nuestro|nuestra)\s+)?(?:(?P<title>{_TITLE_WORDS}),?\s+)??(?P<name>{_NAME})"
)
_NAME_IS_RIGHT = re.compile(
    rf"(?P<name>{_NAME}),?\s+(?:\((?P<ptitle>[^)@\n]{{2,60}})\)\s+)?(?i:is|who is|who's)\s+"
    r"(?i:the|our|my)\s+(?i:right|best|correct)\s+(?i:person|contact)"
)
_TITLE_AFTER_NAME = re.compile(
    r"^\s*(?:,?\s+who(?:'s| is)\s+|,?\s+is\s+|,\s*|\s+\(|\s+-\s+)(?:(?i:our|the|my)\s+)?"
    r"(?P<title>[^,.;()\n@]{2,60}?)(?=\s*(?:\)|,|\.|;|\n|$|\s+(?i:and|who|at|on|she|he|they)\b))"
)
_BAD_TITLE = re.compile(r"\b(?:person|one|contact|guy|right|best|correct|colleague)\b", _I)
_NOT_A_NAME = frozenset(
    {
        "I",
        "We",
        "Our",
        "The",
        "This",
        "That",
        "Please",
        "Thanks",
        "Hi",
        "Hello",
        "She",
        "He",
        "They",
        "You",
        "Your",
        "My",
        "Team",
        "Sales",
        "Procurement",
        "Purchasing",
        "IT",
        "Mr",
        "Ms",
    }
)


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = " ".join(title.split()).strip(" -–,")
    if not title or _BAD_TITLE.search(title) or _EMAIL.search(title):
        return None
    profile = classify_title(title)
    senior = profile.seniority not in (None, Seniority.INDIVIDUAL)
    return title if senior or profile.departments else None


def _name_from_email(address: str) -> str | None:
    local = address.split("@")[0]
    parts = [p for p in re.split(r"[._-]+", local) if p.isalpha() and len(p) > 1]
    return " ".join(p.capitalize() for p in parts) if len(parts) >= 2 else None


def _title_after(text: str, end: int) -> str | None:
    m = _TITLE_AFTER_NAME.match(text[end : end + 90])
    return _clean_title(m["title"]) if m else None


def _usable_name(name: str | None) -> str | None:
    if not name:
        return None
    words = name.split()
    while words and words[0] in _NOT_A_NAME:
        words = words[1:]
    return " ".join(words) or None


def find_referral(text: str, sender_email: str | None = None) -> ReferredPerson | None:
    """The person the lead points to: name, email and job title where the text gives them."""
    sender = (sender_email or "").strip().lower()
    for m in _EMAIL.finditer(text):
        address = m.group(0).rstrip(".")
        if address.lower() == sender:
            continue
        before = _NAME_BEFORE_EMAIL.search(text[max(0, m.start() - 60) : m.start()])
        name = _usable_name(before["name"]) if before else None
        title = None
        if name:
            named = text.rfind(name, 0, m.start())
            title = _title_after(text, named + len(name)) if named >= 0 else None
        title = title or _title_after(
            text, m.end() + (1 if text[m.end() : m.end() + 1] in ")>]" else 0)
        )
        verb = _NAME_AFTER_VERB.search(text)
        if title is None and verb and verb["title"]:
            title = _clean_title(verb["title"])
        return ReferredPerson(
            name=name or _name_from_email(address), email=address, job_title=title
        )
    for pattern in (_NAME_IS_RIGHT, _NAME_AFTER_VERB):
        for m in pattern.finditer(text):
            name = _usable_name(m["name"])
            if not name:
                continue
            groups = m.groupdict()
            title = _clean_title(groups.get("title") or groups.get("ptitle"))
            title = title or _title_after(text, m.end("name"))
            return ReferredPerson(name=name, job_title=title)
    return None


# -- BANT helpers shared with the LLM engine -------------------------------------------------------


def title_authority(job_title: str | None) -> BantItem | None:
    """Authority met from a senior job title (c-level, VP, director, head), else None."""
    if not job_title or classify_title(job_title).seniority not in SENIOR_LEVELS:
        return None
    return BantItem(verdict=BantVerdict.MET, evidence=f"Job title: {job_title.strip()}")


def apply_title_authority(bant: Bant, job_title: str | None) -> Bant:
    """The BANT with authority met when the job title is senior.

    The title wins over the text (a VP "running it by the team" still holds the budget);
    a quote from the text that already says met is kept as the better evidence.
    """
    from_title = title_authority(job_title)
    if from_title is None or bant.authority.verdict == BantVerdict.MET:
        return bant
    return bant.model_copy(update={"authority": from_title})


def carry_over_bant(bant: Bant, conversation: list[ConversationTurn] | None) -> Bant:
    """Dimensions this reply leaves unknown take the latest earlier verdict (with its quote)."""
    earlier = [
        turn.reading.bant
        for turn in conversation or []
        if turn.direction == "inbound" and turn.reading is not None
    ]
    updates: dict[str, BantItem] = {}
    for dimension in BANT_DIMENSIONS:
        if getattr(bant, dimension).verdict != BantVerdict.UNKNOWN:
            continue
        for previous in reversed(earlier):
            item: BantItem = getattr(previous, dimension)
            if item.verdict != BantVerdict.UNKNOWN:
                updates[dimension] = item
                break
    return bant.model_copy(update=updates) if updates else bant


def verbatim_quote(quote: str | None, text: str) -> str | None:
    """The exact slice of `text` that `quote` copies (ignoring case and spacing), or None."""
    if not quote:
        return None
    words = _norm(quote).strip().strip("\"'“”").split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    m = re.search(pattern, _norm(text), _I)
    return text[m.start() : m.end()] if m else None


# -- the reader ---------------------------------------------------------------------------------


def _header(headers: dict | None, *names: str) -> str:
    """A header's value by any of its spellings ("auto_submitted", "Auto-Submitted")."""
    if not headers:
        return ""
    wanted = {n.lower().replace("_", "-") for n in names}
    for key, value in headers.items():
        if str(key).lower().replace("_", "-") in wanted and value not in (None, False):
            return "true" if value is True else str(value)
    return ""


def _is_bounce(headers: dict | None, raw: str, text: str) -> bool:
    if _header(headers, "bounce").lower() not in ("", "false", "0", "no"):
        return True
    content_type = _header(headers, "content-type").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return True
    if _BOUNCE_SENDER.search(_header(headers, "from")):
        return True
    # The delivery report may sit below an "Original message" line the cleaner cuts at.
    return any(_BOUNCE.search(part) for part in (_header(headers, "subject"), text, raw[:4000]))


def _is_complaint(headers: dict | None) -> bool:
    """An abuse report (ARF) about our email: the recipient marked it as spam."""
    return "feedback-report" in _header(headers, "content-type").lower()


def _is_auto_reply(headers: dict | None) -> bool:
    auto = _header(headers, "auto-submitted").lower()
    if auto and auto != "no":
        return True
    if _header(headers, "x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply"):
        return True
    if _header(headers, "precedence").lower() == "auto_reply":
        return True
    return bool(_OOO_HEADER_SUBJECT.search(_header(headers, "subject")))


def _first(pattern: re.Pattern[str], sentences: list[Sentence], *, negatable: bool) -> bool:
    return any(_find(pattern, s.text, negatable=negatable) for s in sentences)


def _read_bant(sentences: list[Sentence]) -> Bant:
    items: dict[str, BantItem] = {}
    for dimension, (met, not_met) in _BANT_CUES.items():
        verdict_item = BantItem()
        for sentence in sentences:
            text = _norm(sentence.text)
            if not_met.search(text):
                verdict_item = BantItem(verdict=BantVerdict.NOT_MET, evidence=sentence.text)
                break
            if verdict_item.verdict == BantVerdict.UNKNOWN and _find(
                met, sentence.text, negatable=True
            ):
                verdict_item = BantItem(verdict=BantVerdict.MET, evidence=sentence.text)
        items[dimension] = verdict_item
    return Bant(**items)


def _signals(sentences: list[Sentence]) -> set[str]:
    return {
        kind for kind, pattern in _SIGNALS.items() if _first(pattern, sentences, negatable=True)
    }


def _interest(
    intent: Intent, kinds: set[str], bant: Bant, explicit_interest: bool
) -> PurchaseInterest:
    if intent in NEGATIVE_INTENTS:
        return PurchaseInterest.NONE
    if intent == Intent.NOT_NOW:
        return PurchaseInterest.LOW
    timeline = "urgency" in kinds or bant.timing.verdict == BantVerdict.MET
    strong = intent == Intent.MEETING_REQUEST or bool(kinds & {"demo", "pricing"})
    if (
        (strong and timeline)
        or len(kinds) >= 3
        or (intent == Intent.MEETING_REQUEST and len(kinds) >= 2)
    ):
        return PurchaseInterest.HIGH
    if intent == Intent.MEETING_REQUEST or kinds or explicit_interest:
        return PurchaseInterest.MEDIUM
    return PurchaseInterest.LOW


def _questions(sentences: list[Sentence]) -> list[str]:
    found = []
    for sentence in sentences:
        if "?" in sentence.text or _find(_QUESTION, sentence.text, negatable=False):
            found.append(sentence.text)
    return found


def _summary(reading: ReplyReading) -> str:
    intent = reading.intent
    if intent == Intent.BOUNCE:
        head = "Bounced: the email could not be delivered."
    elif intent == Intent.UNSUBSCRIBE:
        head = "Asked to stop receiving emails (opt-out)."
    elif intent == Intent.OUT_OF_OFFICE:
        head = (
            f"Out of office until {reading.return_date.isoformat()}."
            if reading.return_date
            else "Out of office (no return date given)."
        )
    elif intent == Intent.WRONG_PERSON:
        ref = reading.referral
        who = ", ".join(p for p in (ref.name, ref.email, ref.job_title) if p) if ref else ""
        head = f"Not the right person; referred to {who}." if who else "Not the right person."
    elif intent == Intent.NOT_INTERESTED:
        head = "Not interested."
    elif intent == Intent.NOT_NOW:
        head = (
            f"Not now; check in on {reading.check_in_date.isoformat()}."
            if reading.check_in_date
            else "Not now (no date given)."
        )
    elif intent == Intent.MEETING_REQUEST:
        head = "Asked for a meeting."
    elif intent == Intent.QUESTION:
        first = reading.questions[0] if reading.questions else ""
        first = first if len(first) <= 80 else first[:77] + "..."
        head = f"Asked {len(reading.questions)} question(s): {first}"
    else:
        head = "Replied with interest." if reading.purchase_interest != "low" else "Replied."
    tail = f" Interest {reading.purchase_interest.value}; BANT {reading.bant.met_count()}/4 met."
    if reading.injection_suspected:
        tail += " Instructions to the agent in the reply were ignored."
    return " ".join((head + tail).split())


def _dated_beyond(text: str, received_on: date, days: int, *, day_first: bool) -> date | None:
    """The latest date in `text` at least `days` after the reply, if any."""
    later = dates.check_in_date(text, received_on, day_first=day_first)
    return later if later and later >= received_on + timedelta(days=days) else None


def read_reply(
    reply_text: str,
    *,
    received_on: datetime,
    job_title: str | None,
    headers: dict | None = None,
    conversation: list[ConversationTurn] | None = None,
    day_first: bool = True,
) -> ReplyReading:
    """Read a lead's reply by rules: intent, purchase interest, BANT with quotes, dates.

    `headers` (any key spelling) may carry: bounce (bool), auto-submitted, x-autoreply,
    precedence, subject, from, content-type. `conversation` holds earlier turns; readings
    of earlier inbound turns carry BANT over. `day_first=False` reads "03/04" as 4 March's
    US spelling, i.e. 3 April (see `dates.day_first_for_country`).
    """
    cleaned = clean_reply(reply_text)
    text = cleaned.text
    day = received_on.date()
    subject = _header(headers, "subject")
    sentences = split_sentences(text)
    injected = injected_sentences(sentences)
    # An instruction may hide below the sign-off; it is never read, but it is flagged.
    injected_below = bool(cleaned.signature) and bool(
        injected_sentences(split_sentences(cleaned.signature))
    )
    reading = [s for i, s in enumerate(sentences) if i not in injected]
    reading_text = "\n".join(s.text for s in reading)

    def has(pattern: re.Pattern[str], negatable: bool = False) -> bool:
        return _first(pattern, reading, negatable=negatable)

    intent: Intent
    return_on = check_in_on = None
    referral = None
    explicit_interest = has(_INTERESTED, negatable=True)
    if _is_bounce(headers, reply_text, text):
        intent = Intent.BOUNCE
    elif _is_complaint(headers) or has(_UNSUBSCRIBE):
        intent = Intent.UNSUBSCRIBE
    elif _is_auto_reply(headers) or has(_OOO):
        intent = Intent.OUT_OF_OFFICE
        return_on = dates.return_date(f"{subject}\n{text}", day, day_first=day_first)
    elif has(_WRONG_PERSON):
        intent = Intent.WRONG_PERSON
        referral = find_referral(reading_text, _sender_address(headers))
    elif has(_SARCASM):
        intent = Intent.NOT_INTERESTED
    elif has(_MEETING, negatable=True):
        intent = Intent.MEETING_REQUEST
        asks = [s.text for s in reading if _find(_MEETING, s.text, negatable=True)]
        if has(_NOT_NOW):
            asks = [reading_text]
        deferred = _dated_beyond(" ".join(asks), day, MEETING_DEFERRAL_DAYS, day_first=day_first)
        if deferred:
            intent, check_in_on = Intent.NOT_NOW, deferred
    elif has(_NOT_NOW):
        intent = Intent.NOT_NOW
        check_in_on = dates.check_in_date(reading_text, day, day_first=day_first)
    elif has(_NOT_INTERESTED):
        intent = Intent.NOT_INTERESTED
    elif any("?" in s.text for s in reading) or has(_QUESTION):
        intent = Intent.QUESTION
    else:
        intent = Intent.INTERESTED

    machine = intent in (Intent.BOUNCE, Intent.OUT_OF_OFFICE)
    bant = Bant() if machine else _read_bant(reading)
    if intent == Intent.NOT_NOW and bant.timing.verdict != BantVerdict.NOT_MET:
        # A deferral is the lead saying the timing is not right; quote where she says so.
        said = next((s.text for s in reading if _find(_NOT_NOW, s.text, negatable=False)), None)
        if said:
            bant = bant.model_copy(
                update={"timing": BantItem(verdict=BantVerdict.NOT_MET, evidence=said)}
            )
    bant = apply_title_authority(carry_over_bant(bant, conversation), job_title)
    kinds = set() if machine else _signals(reading)
    result = ReplyReading(
        intent=intent,
        purchase_interest=_interest(intent, kinds, bant, explicit_interest),
        bant=bant,
        questions=[] if machine else _questions(reading),
        return_date=return_on,
        check_in_date=check_in_on,
        referral=referral,
        injection_suspected=bool(injected) or injected_below,
        engine="offline",
    )
    return result.model_copy(update={"summary": _summary(result)})


def _sender_address(headers: dict | None) -> str | None:
    m = _EMAIL.search(_header(headers, "from"))
    return m.group(0) if m else None


def received_on_of(conversation: list[ConversationTurn], default: datetime) -> datetime:
    """When the reply being read arrived: the last inbound turn not yet read, else `default`.

    The engines' `read_reply` gets no timestamp; the conversation carries it when the
    graph has already recorded the reply as a turn.
    """
    for turn in reversed(conversation):
        if turn.direction == "inbound":
            return turn.at if turn.reading is None else default
    return default
