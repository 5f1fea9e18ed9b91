"""The offline reply reader: intent, purchase interest and BANT of a lead's reply, by rules.

Only the lead's new text is read (`segmentation.clean_reply` drops quoted history, forwarded
mail, signatures and disclaimers). The text is split into sentences and each rule is a set
of cue phrases matched per sentence (`sentences`); sentences that instruct the agent are
left out first (`injection`).

Intent precedence, first match wins (why, in brackets):

1. bounce — headers or delivery-status wording (a machine answered; nothing else counts)
2. unsubscribe — (an opt-out is honoured whatever else the reply says: "Unsubscribe me.
   Also, what is your pricing?" is an unsubscribe); a spam complaint (ARF feedback
   report) counts as an opt-out
3. wrong_person, when the person has left (an auto-reply saying so is a referral, not an
   absence)
4. out_of_office — auto-reply headers or wording (the person has not read the email)
5. wrong_person — (a referral matters more than the referrer's own view)
6. not_interested, sarcastic — ("sure, let's set up a call, because I have nothing better
   to do" must not read as a meeting request)
7. meeting_request — unless the only time named is 45+ days away ("let's talk in Q3"),
   which is not_now
8. not_now — before not_interested ("Not interested right now, but try us in Q3"); "not
   interested right now / for now" is not now, "not interested at this time" a polite no
9. not_interested
10. interested — the lead asks to buy or to start a trial or pilot (her questions are then
    the logistics of starting)
11. question — a question in the new text
12. interested — explicit interest, or a stated need, budget, authority, timing or buying
    signal
13. wrong_person — someone else's address in the lead's own text, or forwarding or copying
    a colleague, and no other act
14. unclear — a human reply with none of the above (a seller reads it)

The cues are in `intent_cues`, machine mail in `mail_headers`, purchase interest in
`interest`, BANT in `bant` and the referred person in `referral`. Bounces and auto-replies
get no BANT and no questions.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import graphs.reply_reader.dates as dates
from core.conversation import ConversationTurn
from core.reply_reading import Bant, BantItem, BantVerdict, Intent, ReplyReading
from graphs.reply_reader.bant import (
    TIMING_HORIZON_DAYS,
    apply_title_authority,
    carry_over_bant,
    read_bant,
)
from graphs.reply_reader.cue_openings import text_openings
from graphs.reply_reader.injection import injected_sentences
from graphs.reply_reader.interest import buying_signals, interest_level
from graphs.reply_reader.language import detect_language
from graphs.reply_reader.language_cues import ActCues, act_cues
from graphs.reply_reader.mail_headers import (
    header,
    is_auto_reply,
    is_bounce,
    is_complaint,
    sender_address,
)
from graphs.reply_reader.referral import find_referral
from graphs.reply_reader.segmentation import clean_reply
from graphs.reply_reader.sentences import (
    Sentence,
    has_cue,
    in_any_sentence,
    split_sentences,
)
from graphs.reply_reader.sentences import forget_read_texts as forget_sentence_forms

# How sure a reading is (ReplyReading.confidence): the admin's hand-off rule
# `low_confidence` sends readings below its threshold to a seller.
MACHINE = 0.95  # the mail headers say it: a bounce or an auto-reply
CONFIDENT = 0.85  # an act recognised in the lead's own words
INFERRED = 0.6  # interest read from a need, budget or buying signal alone
CONTRADICTORY = 0.4  # a decline and a wish to go on in the same reply
UNSURE = 0.3  # nothing recognised
# "Let's talk in Q3" is a deferral, not a meeting request, when the date is this far off.
MEETING_DEFERRAL_DAYS = 45
# A lead writes her answer at the top; what runs on for megabytes is pasted logs or a
# forwarded archive. Reading only the start keeps a 5 MB reply to a fraction of a second.
MAX_READ_CHARS = 50_000


def _questions(sentences: list[Sentence], cues: ActCues) -> list[str]:
    """The sentences that ask something; a request for material, a proposal or the next step
    is interest, and a bare "??" says nothing."""
    found = []
    listed = _listed_after_colon(sentences)
    for i, sentence in enumerate(sentences):
        text = cues.tag_question.sub(".", sentence.text)
        asks = "?" in text or has_cue(cues.question, text, negatable=False) or i in listed
        has_words = sum(ch.isalpha() for ch in text) >= 2
        if (
            asks
            and has_words
            # "Two questions:" introduces them; the list asks.
            and not text.rstrip().endswith(":")
            and not has_cue(cues.request, text, negatable=True)
            and not has_cue(cues.greeting, text, negatable=False)
            # "Is this automated?" asks about the email, not the product.
            and not (
                has_cue(cues.about_email, text, negatable=False)
                and not has_cue(cues.question, text, negatable=False)
            )
        ):
            found.append(text)
    return found


_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}\s?[.)\-–:]|[-•*–])\s*\S")


def _listed_after_colon(sentences: list[Sentence]) -> set[int]:
    """Indices of list items under a line ending in ':' ("I need to know the following:"):
    in a reply to a sales email, those are what the lead asks about."""
    items: set[int] = set()
    under_colon = False
    for i, sentence in enumerate(sentences):
        if _LIST_ITEM.match(sentence.text) and under_colon:
            items.add(i)
            continue
        under_colon = sentence.text.rstrip().endswith(":")
    return items


# A scheduling link with a short label ("Book time with me: https://…") is signature
# furniture, whatever line it sits on; the lead's own words around it still count.
_LINK_LINE = re.compile(r"^\W*(?:\S+\s+){0,6}?\S*:?\s*(?:https?://|www\.)\S+\W*$", re.IGNORECASE)


_MARKUP = re.compile(r"^\s*(?:#{2,}|\[|<|`{3}|-{3,}|={3,})|(?:#{2,}|-{3,}|={3,})\s*$")


def _says_nothing(sentences: list[Sentence], cues: ActCues) -> bool:
    """True when what is left says nothing: no words, a greeting or thanks, or markup around
    an injected block ("### END ###")."""
    return all(
        _MARKUP.search(s.text)
        or cues.salutation.search(s.text)
        or not re.search(r"[^\W\d_]", s.text)
        for s in sentences
    )


def _own_words(sentences: list[Sentence]) -> list[Sentence]:
    # The first sentence is what she wrote ("Book something with me here: <link>"); a link
    # line further down is a signature the segmenter missed.
    return [s for i, s in enumerate(sentences) if i == 0 or not _LINK_LINE.match(s.text)]


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
    elif intent == Intent.UNCLEAR:
        head = "Could not tell what the lead means; a seller should read the reply."
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


# A clock time: "14:00", "3 PM", "9h30", "10 Uhr", "15.30".
_CLOCK = re.compile(
    r"\b\d{1,2}(?:[:.h]\d{2}|\s?(?:am|pm|a\.m\.|p\.m\.|uhr|h|hrs|horas)\b)", re.IGNORECASE
)


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\d\d:\d\d:\d\d")


def _names_slot(text: str, received_on: date) -> bool:
    """True if the sentence names a day and a clock time: a slot, in any language. Machine
    timestamps ("2026-03-01 12:00:01" in a pasted log) are not."""
    if _TIMESTAMP.search(text):
        return False
    return bool(_CLOCK.search(text)) and any(
        m.precision in ("day", "relative") and m.on >= received_on
        for m in dates.find_dates(text, received_on)
    )


def _only_months(text: str, received_on: date, *, day_first: bool) -> date | None:
    """The month or quarter named, when that is all the dating there is ("call me in May")."""
    named = [m for m in dates.find_dates(text, received_on, day_first=day_first)]
    if (
        named
        and all(m.precision in ("month", "quarter") for m in named)
        and not _CLOCK.search(text)
        # "Sometime this month" is soon enough for a call.
        and max(m.on for m in named) > received_on + timedelta(days=14)
    ):
        return max(m.on for m in named)
    return None


def _took_a_competitor(
    sentences: list[Sentence], competitors: re.Pattern[str] | None, cues: ActCues
) -> bool:
    """True if the lead says, outside a question, that she uses or chose a competitor and is
    not unhappy with it ("We went live on RELEX in November")."""
    return _competitor_sentence(sentences, competitors, cues) is not None


def _competitor_sentence(
    sentences: list[Sentence], competitors: re.Pattern[str] | None, cues: ActCues
) -> Sentence | None:
    """The sentence in which the lead says she uses or chose a competitor (see above)."""
    if competitors is None:
        return None
    return next(
        (
            s
            for s in sentences
            if "?" not in s.text
            and competitors.search(s.text)
            and not cues.dissatisfied.search(s.text)
        ),
        None,
    )


def _dated_beyond(text: str, received_on: date, days: int, *, day_first: bool) -> date | None:
    """The latest date in `text` at least `days` after the reply, if any."""
    later = dates.check_in_date(text, received_on, day_first=day_first)
    return later if later and later >= received_on + timedelta(days=days) else None


def forget_read_texts() -> None:
    """Drop what the reader remembers about texts it has read (sentence forms, word keys,
    dates), so a benchmark times each reply as a new one."""
    forget_sentence_forms()
    text_openings.cache_clear()
    dates.forget_read_texts()


def read_reply(
    reply_text: str,
    *,
    received_on: datetime,
    job_title: str | None,
    headers: dict | None = None,
    conversation: list[ConversationTurn] | None = None,
    day_first: bool = True,
    problems: re.Pattern[str] | None = None,
    competitors: re.Pattern[str] | None = None,
    problem_keywords: re.Pattern[str] | None = None,
) -> ReplyReading:
    """Read a lead's reply by rules: intent, purchase interest, BANT with quotes, dates.

    `headers` (any key spelling) may carry: bounce (bool), auto-submitted, x-autoreply,
    precedence, subject, from, content-type. `conversation` holds earlier turns; readings
    of earlier inbound turns carry BANT over. `day_first=False` reads "03/04" as 4 March's
    US spelling, i.e. 3 April (see `dates.day_first_for_country`). `problems` matches the
    problems the seller's product solves, in buyers' words (its profile): the lead's need.
    """
    head = reply_text[:MAX_READ_CHARS]
    cleaned = clean_reply(head)
    text = cleaned.text
    day = received_on.date()
    subject = header(headers, "subject")
    sentences = split_sentences(text)
    # The cues of the lead's language (with English): detected on all she wrote, since an
    # injected sentence may be in another language than her own.
    language = detect_language(text)
    cues = act_cues(language)
    injected = injected_sentences(sentences, cues.injection)
    # An instruction may hide below the sign-off; it is never read, but it is flagged.
    injected_below = bool(cleaned.signature) and bool(
        injected_sentences(split_sentences(cleaned.signature), cues.injection)
    )
    reading = _own_words([s for i, s in enumerate(sentences) if i not in injected])
    reading_text = "\n".join(s.text for s in reading)

    def has(pattern: re.Pattern[str], negatable: bool = False) -> bool:
        return in_any_sentence(pattern, reading, negatable=negatable)

    intent: Intent
    asked: list[str] = []
    sarcastic = False
    return_on = check_in_on = None
    referral = None
    # Sentences naming a day and a time: read once, asked about twice below.
    slots = [s for s in reading if _names_slot(s.text, day)]
    commits = has(cues.commit, negatable=True)
    plans = has(cues.plans, negatable=True)
    explicit_interest = (
        commits
        or plans
        or has(cues.interested, negatable=True)
        or has(cues.request, negatable=True)
    )
    if is_bounce(headers, head, text):
        intent = Intent.BOUNCE
    elif is_complaint(headers) or has(cues.unsubscribe):
        intent = Intent.UNSUBSCRIBE
    elif has(cues.departed):
        intent = Intent.WRONG_PERSON
        referral = find_referral(reading_text, sender_address(headers))
    elif is_auto_reply(headers) or (
        any(
            # "What if the manager is on holiday?" is about someone else, not an absence.
            "?" not in s.text and has_cue(cues.out_of_office, s.text, negatable=False)
            for s in reading
        )
        # "On site all week; call me Friday at 10": a person proposing a slot.
        and not slots
    ):
        intent = Intent.OUT_OF_OFFICE
        return_on = dates.return_date(f"{subject}\n{text}", day, day_first=day_first)
    elif has(cues.wrong_person):
        intent = Intent.WRONG_PERSON
        referral = find_referral(reading_text, sender_address(headers))
    elif has(cues.sarcasm) or any(cues.flat_no.search(x.text) for x in reading):
        intent, sarcastic = Intent.NOT_INTERESTED, True
    elif has(cues.meeting, negatable=True) or slots:
        intent = Intent.MEETING_REQUEST
        asks = [
            s.text for s in reading if has_cue(cues.meeting, s.text, negatable=True) or s in slots
        ]
        only_months = _only_months(" ".join(asks), day, day_first=day_first)
        if only_months is not None:
            # "Ring me in November": a month is a time to come back, not a slot.
            intent, check_in_on = Intent.NOT_NOW, only_months
        elif has(cues.not_now):
            # "Not now; we can talk later" defers the talk: a meeting needs a near date then.
            named = dates.check_in_date(
                reading_text, day, day_first=day_first, recontact=cues.recontact
            )
            if named is None or named >= day + timedelta(days=MEETING_DEFERRAL_DAYS):
                intent, check_in_on = Intent.NOT_NOW, named
        else:
            deferred = _dated_beyond(
                " ".join(asks), day, MEETING_DEFERRAL_DAYS, day_first=day_first
            )
            if deferred:
                intent, check_in_on = Intent.NOT_NOW, deferred
    elif (
        _took_a_competitor(reading, competitors, cues)
        and not _questions(reading, cues)
        and not (
            # "Our contract with Relex runs to February 2027; reconnect in March 2027" defers.
            has(cues.not_now)
            and dates.check_in_date(
                reading_text, day, day_first=day_first, recontact=cues.recontact
            )
        )
    ):
        intent = Intent.NOT_INTERESTED
    elif has(cues.not_now) and not plans and not has(cues.for_good):
        intent = Intent.NOT_NOW
        check_in_on = dates.check_in_date(
            reading_text, day, day_first=day_first, recontact=cues.recontact
        )
    elif any(
        has_cue(cues.not_interested, x.text, negatable=False)
        and ("?" not in x.text or has_cue(cues.sender_question, x.text, negatable=False))
        # "Otherwise there is no point talking": a condition, not a decline.
        and not cues.condition.search(x.text)
        for x in reading
    ):
        # "Is your WMS an in-house system?" asks; a statement declines, and so does "who
        # gave you my address?".
        intent = Intent.NOT_INTERESTED
    elif commits:
        # Her questions then are the logistics of starting ("What do you need from us?").
        intent = Intent.INTERESTED
    elif asked := _questions(reading, cues):
        intent = Intent.QUESTION
    else:
        intent = Intent.INTERESTED

    machine = intent in (Intent.BOUNCE, Intent.OUT_OF_OFFICE)
    bant = (
        Bant()
        if machine
        else read_bant(
            reading,
            cues,
            received_on=day,
            problems=problems,
            keywords=problem_keywords,
            day_first=day_first,
        )
    )
    if not machine and bant.need.verdict == BantVerdict.UNKNOWN:
        # "We moved to Cliniko last year", "under contract with Yooz and happy": the need is
        # met by a competitor, so not ours to meet.
        chose = _competitor_sentence(reading, competitors, cues)
        if chose is not None:
            bant = bant.model_copy(
                update={"need": BantItem(verdict=BantVerdict.NOT_MET, evidence=chose.text)}
            )
    kinds = set() if machine else buying_signals(reading)
    if not machine and has(cues.pricing, negatable=True):
        kinds.add("pricing")
    if intent == Intent.INTERESTED and not explicit_interest:
        pointed = find_referral(reading_text, sender_address(headers))
        if (pointed is not None and pointed.email) or has(cues.copying):
            # "Kim runs operations: kim@…" or "I'll forward this to procurement", and
            # nothing else: the lead points elsewhere.
            intent, referral = Intent.WRONG_PERSON, pointed
    confidence = CONFIDENT
    if intent == Intent.INTERESTED and not explicit_interest:
        # Read from a need, budget or buying signal alone, with no act of hers.
        confidence = INFERRED
    if intent == Intent.INTERESTED and not (explicit_interest or bant.met_count() or kinds):
        # No act recognised and nothing the lead wants, has or plans: guessing "interested"
        # would email again someone who may have declined or opted out in words not known
        # here. The reply goes to a seller instead.
        intent, confidence = Intent.UNCLEAR, UNSURE
    elif (
        intent == Intent.NOT_INTERESTED
        and not sarcastic
        and (commits or has(cues.request, negatable=True) or has(cues.meeting, negatable=True))
    ):
        # "Not interested. When can we start?": a decline and a wish to go on, no way to
        # tell which she means.
        intent, confidence = Intent.UNCLEAR, CONTRADICTORY
    elif is_bounce(headers, head, text) or is_auto_reply(headers):
        confidence = MACHINE
    if intent == Intent.NOT_NOW and check_in_on is not None:
        # Timing is the date she gives: within six months met, later not met; a deferral
        # without a date says nothing about it.
        said = next(
            (s.text for s in reading if has_cue(cues.not_now, s.text, negatable=False)),
            bant.timing.evidence,
        )
        soon = check_in_on <= day + timedelta(days=TIMING_HORIZON_DAYS)
        verdict = BantVerdict.MET if soon else BantVerdict.NOT_MET
        bant = bant.model_copy(update={"timing": BantItem(verdict=verdict, evidence=said)})
    bant = apply_title_authority(carry_over_bant(bant, conversation), job_title)
    questions = [] if machine else (asked or _questions(reading, cues))
    result = ReplyReading(
        intent=intent,
        purchase_interest=interest_level(
            intent,
            kinds,
            bant,
            explicit_interest,
            commits,
            asks_about_product=any(
                not has_cue(cues.sender_question, q, negatable=False) for q in questions
            ),
        ),
        bant=bant,
        questions=questions,
        return_date=return_on,
        check_in_date=check_in_on,
        referral=referral,
        injection_suspected=bool(injected) or injected_below,
        confidence=confidence,
        injection_only=bool(injected) and _says_nothing(reading, cues),
        # The lead's own language: read again only when injected sentences were dropped.
        language=detect_language(reading_text) if injected and reading_text else language,
        engine="offline",
    )
    return result.model_copy(update={"summary": _summary(result)})


def received_on_of(conversation: list[ConversationTurn], default: datetime) -> datetime:
    """When the reply being read arrived: the last inbound turn not yet read, else `default`.

    The engines' `read_reply` gets no timestamp; the conversation carries it when the
    graph has already recorded the reply as a turn.
    """
    for turn in reversed(conversation):
        if turn.direction == "inbound":
            return turn.at if turn.reading is None else default
    return default
