"""A lead's reply reduced to what the lead just wrote: no quoted history, signature or footer.

Only the new text counts when reading a reply: the quoted outreach below it is our own
words, and a signature or a legal disclaimer says nothing about intent. Cleaning is
line-based, so every line of the cleaned text is a line of the raw reply (trimmed), and a
quote taken from the cleaned text is the lead's own words.

Quoted history starts at the first of: an "On ... wrote:" line (also German, French,
Spanish, Italian, Portuguese and Dutch forms, possibly wrapped over three lines), an
"-----Original Message-----" or forwarded-message separator, an Outlook header block
("From: ... / Sent: ..." in English, German, French or Spanish), or an underscore rule
followed by such a block. Lines starting with ">" are dropped wherever they are. When the
reply is posted below the quote (bottom posting), the text after the quote is kept.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field

# -- quoted history ------------------------------------------------------------------------

_WROTE = re.compile(
    r"""^\s*(?:
        (?:-{2,}\s*)?(?:On|Am|Le|El|Il|In\s+data|Em|Op|Den|På)\b.{4,300}?
        (?:wrote|schrieb|a\s+écrit|a\s+ecrit|escribió|escribio|ha\s+scritto|escreveu|schreef|skrev)
        (?:\s+[^:\n]{0,80})?\s*(?::|-{2,}|(?<=wrote))\s*$
      )""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_SEPARATOR = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\s+message|ursprüngliche\s+nachricht|message\s+d'origine|
                  mensaje\s+original|messaggio\s+originale|forwarded\s+message|
                  oprindelig\s+besked|oorspronkelijk\s+bericht|mensagem\s+original|
                  ursprungligt\s+meddelande|opprinnelig\s+melding|alkuperäinen\s+viesti|
                  weitergeleitete\s+nachricht|message\s+transféré|mensaje\s+reenviado)\s*-{2,}
      | begin\s+forwarded\s+message\s*:
      | -{5,}\s*original\s+message\s*-{0,}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_RULE = re.compile(r"^\s*(?:_{10,}|-{10,})\s*$")
_HEADER_FROM = re.compile(r"^\s*\*?(?:From|Von|De|Da|Fra|Van)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(?:Sent|Date|To|Subject|Cc|Gesendet|Datum|An|Betreff|Envoyé|Objet|À|Enviado|"
    r"Asunto|Para|Fecha|Inviato|Oggetto|Til|Emne|Dato|Aan|Onderwerp)\s*:\*?",
    re.IGNORECASE,
)
_QUOTED_LINE = re.compile(r"^\s*>")
# Any client's "<date>, Name <address>:" attribution line, whatever its language.
_ATTRIBUTION = re.compile(r"^(?=.*\d)(?=.*<?[\w.+-]+@[\w-]+\.[\w.-]+>?).{10,250}:\s*$")
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|hallo|guten\s+tag|bonjour|salut|hola|buenos\s+días)\b.{0,30}$",
    re.IGNORECASE,
)

# -- signatures and footers -----------------------------------------------------------------

_SIG_DELIMITER = re.compile(r"^\s*(?:--|—|__)\s*$")
_MOBILE_FOOTER = re.compile(
    r"^\s*(?:sent\s+(?:from|with|via)\s+(?:my\s+)?\w[\w\s-]{0,40}$|get\s+outlook\s+for\b|"
    r"gesendet\s+(?:von|mit|aus)\b|envoyé\s+(?:de|depuis)\s+mon\b|envoyé\s+à\s+partir\s+de\b|"
    r"enviado\s+desde\s+(?:mi\s+)?\w|inviato\s+da\b)",
    re.IGNORECASE,
)
_VALEDICTION = re.compile(
    r"""^\s*(?:
        (?:best|kind|warm|warmest|many|with)?\s*(?:regards|wishes|thanks)
      | best | cheers | thanks(?:\s+again)? | thank\s+you | thx | sincerely | yours(?:\s+truly)?
      | all\s+the\s+best | talk\s+soon | br | rgds
      | mit\s+freundlichen\s+gr(?:ü|ue)(?:ß|ss)en | viele\s+gr(?:ü|ue)(?:ß|ss)e
      | beste\s+gr(?:ü|ue)(?:ß|ss)e | liebe\s+gr(?:ü|ue)(?:ß|ss)e | lg | vg | mfg | gruß | gruss
      | cordialement | bien\s+à\s+vous | bien\s+cordialement | merci | bonne\s+journée
      | saludos(?:\s+cordiales)? | un\s+saludo | atentamente | gracias | un\s+abrazo
    )\s*[,.!]*\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_DISCLAIMER = re.compile(
    r"""^\s*\**\s*(?:
        confidentiality\s+notice | disclaimer\s*:
      | this\s+e-?mail\s+(?:and\s+any|is\s+confidential|message\s+is\s+intended|may\s+contain)
      | this\s+message\s+(?:and\s+any|is\s+intended|may\s+contain)
      | the\s+information\s+(?:contained\s+in|in)\s+this\s+(?:e-?mail|message|communication)
      | if\s+you\s+(?:are\s+not|have\s+received\s+this)\s+(?:the\s+intended|in\s+error)
      | please\s+consider\s+the\s+environment\s+before\s+printing
      | diese\s+e-?mail\s+(?:enthält|kann|ist) | ce\s+message\s+(?:et\s+ses|est\s+confidentiel)
      | este\s+(?:correo|mensaje)\s+(?:y\s+sus|es\s+confidencial|contiene)
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_HTML_TAG = re.compile(r"<(?:br|/p|/div|p|div)[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]{1,200}>")
_NOT_TEXT = re.compile(r"<(style|script|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# A comment is text nobody sees: it is kept as a line of its own, so an instruction hidden
# in one is read and flagged like any other (Outlook's conditional comments hold only tags).
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_BLANKS = re.compile(r"\n{3,}")

# A signature block is short: a few short lines (name, title, phone, address).
_MAX_SIGNATURE_LINES = 8
_MAX_SIGNATURE_LINE_CHARS = 80

# -- language -------------------------------------------------------------------------------

_STOPWORDS: dict[str, frozenset[str]] = {
    language: frozenset(words.split())
    for language, words in {
        "en": "the and you your we our is are not this that with for have will be please "
        "thanks would can of to",
        "de": "der die das und ich sie wir nicht ist mit für bitte danke uns ein eine bin bis "
        "zurück im",
        "fr": "le la les et je vous nous pas est avec pour merci une des du suis au de retour",
        "es": "el la los las y yo usted nosotros no es con para gracias una del estoy hasta de que",
    }.items()
}
# fmt: on
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class CleanedReply:
    """The lead's new text and what was cut from it."""

    text: str
    quoted: str = ""
    signature: str = ""
    languages: list[str] = field(default_factory=list)


def _from_html(raw: str) -> str:
    """Plain text from an HTML body (tags dropped, block ends kept as line breaks)."""
    if not re.search(r"<(?:html|body|div|p|br)\b", raw, re.IGNORECASE):
        return raw
    text = _COMMENT.sub(lambda m: f"\n{m.group(1)}\n", _NOT_TEXT.sub("\n", raw))
    text = _HTML_TAG.sub("\n", text)
    return html.unescape(_ANY_TAG.sub("", text))


def _is_header_block(lines: list[str], index: int) -> bool:
    """True if an Outlook-style 'From: / Sent: / To:' block starts at `index`."""
    if not _HEADER_FROM.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 6] if line.strip()]
    return sum(bool(_HEADER_OTHER.match(line)) for line in following[:4]) >= 1


def _quote_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted history, if any."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _SEPARATOR.match(line) or _is_header_block(lines, i):
            return i
        if _RULE.match(line) and any(
            _is_header_block(lines, j) for j in range(i + 1, min(i + 3, len(lines)))
        ):
            return i
        if _attribution_span(lines, i):
            return i
    return None


def _attribution_span(lines: list[str], start: int) -> int:
    """How many lines (1-3) an "On ... wrote:" attribution starting at `start` spans; 0 if none.

    Clients wrap "On Mon, 3 Mar 2025 at 10:02, Jane <jane@x.com> wrote:" over lines, so
    up to three unquoted, non-blank lines are joined.
    """
    for span in (1, 2, 3):
        parts = lines[start : start + span]
        if len(parts) < span or any(not p.strip() or _QUOTED_LINE.match(p) for p in parts):
            return 0
        joined = " ".join(part.strip() for part in parts)
        if _WROTE.match(joined) and (span == 1 or re.search(r"\d|@", joined)):
            return span
        if _ATTRIBUTION.match(joined) and re.search(r"\d", parts[0]):
            return span
    return 0


def _substantive(lines: list[str]) -> bool:
    """True if the lines say more than a greeting."""
    return any(
        line.strip() and not _QUOTED_LINE.match(line) and not _GREETING.match(line)
        for line in lines
    )


def _strip_quotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """(new lines, quoted lines)."""
    start = _quote_start(lines)
    if start is None:
        kept, quoted = lines, []
    else:
        kept, quoted = lines[:start], lines[start:]
        span = _attribution_span(lines, start)
        if span and not _substantive(kept):
            # Bottom posting or an inline answer: the quote comes first, the reply follows.
            after = lines[start + span :]
            cut = _quote_start(after)
            if cut is not None:
                after = after[:cut]
            if any(line.strip() and not _QUOTED_LINE.match(line) for line in after):
                kept = [line for line in kept if line.strip()] + after
                quoted = lines[start : start + span]
    new = [line for line in kept if not _QUOTED_LINE.match(line)]
    quoted = quoted + [line for line in kept if _QUOTED_LINE.match(line)]
    return new, quoted


def _looks_like_signature(lines: list[str]) -> bool:
    content = [line for line in lines if line.strip()]
    return len(content) <= _MAX_SIGNATURE_LINES and all(
        len(line.strip()) <= _MAX_SIGNATURE_LINE_CHARS for line in content
    )


def _strip_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """(body lines, signature lines): cut at a delimiter, a footer, a disclaimer or a sign-off."""
    seen_content = False
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if _SIG_DELIMITER.match(line) or _DISCLAIMER.match(line):
            if seen_content:
                return lines[:i], lines[i:]
        elif _MOBILE_FOOTER.match(line) or (
            _VALEDICTION.match(line) and seen_content and _looks_like_signature(lines[i + 1 :])
        ):
            return lines[:i], lines[i:]
        seen_content = True
    return lines, []


def detect_languages(text: str) -> list[str]:
    """Languages the text is (partly) written in, most used first: en, de, fr, es.

    A light stopword count, enough to notice a German out-of-office under an English
    reply; a language needs two distinct stopwords to count.
    """
    words = [w.lower() for w in _WORD.findall(text)]
    found: Counter[str] = Counter()
    for language, stopwords in _STOPWORDS.items():
        hits = [w for w in words if w in stopwords]
        if len(set(hits)) >= 2:
            found[language] = len(hits)
    return [language for language, _ in found.most_common()]


def clean_reply(raw: str) -> CleanedReply:
    """The lead's new text, without quoted history, forwarded mail, signature or disclaimer."""
    text = _from_html(raw.replace("\r\n", "\n").replace("\r", "\n")).replace("\u00a0", " ")
    lines = text.split("\n")
    new, quoted = _strip_quotes(lines)
    body, signature = _strip_signature(new)
    cleaned = _BLANKS.sub("\n\n", "\n".join(line.rstrip() for line in body)).strip()
    return CleanedReply(
        text=cleaned,
        quoted="\n".join(quoted).strip(),
        signature="\n".join(signature).strip(),
        languages=detect_languages(cleaned),
    )


def new_text(raw: str) -> str:
    """Only what the lead just wrote (see `clean_reply`)."""
    return clean_reply(raw).text
