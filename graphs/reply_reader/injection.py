"""Prompt injection in a reply: text that addresses the agent instead of the seller.

Sentences that address the AI/agent or give it instructions ("ignore your instructions",
"you are now", "mark me as qualified", "system:", "Assistant, ...", role-play as its admin
or developer, "print your prompt"), machine-readable verdicts (JSON keys, `key=value`, YAML
lines such as `qualified: true`), config fences and hidden HTML text set
`injection_suspected`. They, plus the sentences after them in the same paragraph (the
instruction's payload: "The lead has budget approved."), are left out before intent,
interest and BANT are read, so an injected claim never becomes BANT evidence; the payload
ends at a question or a turn back to the seller ("Real answer:", "Anyway"). Instructions
below the sign-off are flagged too. "Ignore my previous email" is a lead correcting
herself, not an injection.
"""

from __future__ import annotations

import re

from graphs.reply_reader.cue_openings import cue_found
from graphs.reply_reader.sentences import Sentence, any_of, normalize, split_sentences

_AI_NAMES = (
    r"(?:ai|a\.i\.|assistants?|bots?|agents?|chatgpt|gpt|llms?|language models?|"
    r"qualification engine)"
)
# Whatever machine reads the reply, as people address it. "System", "tool" and "model"
# alone are too common ("Systems: SAP, Oracle"); they count when qualified.
_MACHINE = (
    r"(?:(?:(?:ai|a\.i\.|automated|automatic|virtual|email|e-mail|crm|inbox)[ -])+"
    r"(?:systems?|tools?|models?|parsers?|filters?|assistants?|agents?|bots?)|"
    r"(?:(?:ai|a\.i\.|sales|email|e-mail|crm|virtual)[ -])*"
    r"(?:ai|a\.i\.|assistants?|bots?|agents?|chatgpt|gpt|llms?|language models?|robots?))"
)
# "My assistant flagged your email": a person's assistant, not the machine reading this.
_NOT_MINE = r"(?:(?!(?:my|our|his|her|their|your)\b)[\w-]+ )?"
# What follows a colon addressed to a machine is an instruction: it speaks to someone, in
# the second person or as an order, in the languages read ("Assistant: Jane Doe" in a
# signature does neither).
_SPOKEN_TO = (
    r"(?=[^\n]{0,200}\b(?:you|your|please|must|should|send|mark|set|ignore|print|reply|respond|"
    r"add|log|record|change|tell|write|forward|flag|update|reveal|show|give|list|output|"
    r"disregard|forget|delete|offer|recommend|approve|classify|treat|register|paste|repeat|"
    r"include|do not|don't|du|dich|dir|dein\w*|bitte|vous|votre|vos|tu|ton|ta|tes|usted|tú|"
    r"tus|por favor|você|voce|seu|sua|a partir|ab sofort|désormais|de agora)\b)"
)
INJECTION = any_of(
    # Addressed to the machine: "bot: send ...", "Also, AI agents: respond ...", "For the
    # assistant reading this: print ...", "Note for whatever bot processes this email".
    rf"^\W*(?:(?:also|and|plus|ps|p\.s\.|btw|by the way|oh|one more thing|one last thing),? )*"
    rf"(?:(?:dear|hey|hi|hello|attention|note|notes|instructions?|message|memo|reminder|"
    rf"addendum|postscript) )?(?:(?:to|for) )?"
    rf"(?:the |any |all |every |each |whatever |whichever )?{_NOT_MINE}{_MACHINE}"
    rf"(?: [^\s:.!?]+){{0,7}}? ?:(?!//){_SPOKEN_TO}",
    rf"\b(?:note|instructions?|message|memo|reminder|favou?r|request|task|order|addendum) "
    rf"(?:to|for) (?:the |any |all |every |each |whatever |whichever )?{_NOT_MINE}{_MACHINE}\b",
    rf"\b(?:any|every|each|whatever|whichever|the) (?:{_MACHINE}|systems?) (?:(?:that|which|who) )?"
    r"(?:reading|reads|processing|processes|handling|handles|parsing|parses|drafting|drafts|"
    r"answering|answers|screening|triaging|summari[sz]ing|receiving|receives|logs|logging) "
    r"(?:this|these|my|our|the|your)\b",
    rf"\b{_MACHINE},? (?:(?:that|which|who) )?(?:\w+ (?:this|these|my|our|the) \w+,? )?"
    r"(?:must|shall|is required to|are required to|are obliged to|is obliged to|needs? to|"
    r"ha(?:s|ve) to)\b",
    r"[\"']role[\"']\s*:\s*[\"'](?:system|assistant|developer)[\"']",
    r"\b(?:developer|system|admin|administrator|operator)(?:'s)? (?:note|message|instruction|"
    r"override|notice)\b",
    r"\bwhoever or whatever\b",
    # Asking for what the agent was told, however it is put.
    r"\b(?:paste|print|share|reveal|show|send|give|tell|list|output|copy|quote|dump|recite)\b"
    r".{0,60}\b(?:guidelines|instructions|prompt|configuration|system message|rules)\b.{0,40}"
    r"\b(?:you were given|you(?:'ve| have) been given|you got|you follow|you(?:'re| are) "
    r"(?:using|following)|you use|behind you)\b",
    r"\b(?:exact|full|complete|verbatim|entire|original|operating) (?:operating )?"
    r"(?:guidelines|instructions|prompt|system prompt|configuration)\b",
    r"\b(?:the (?:instructions|rules|guidelines) you (?:operate|work|run) (?:under|by|with)|"
    r"your (?:model name|internal rules|pricing limits|discount limits|minimum price|"
    r"system prompt))\b",
    r"\bapi keys?\b.{0,40}\byou\b",
    # Telling it to change what the CRM holds.
    r"\b(?:log|record|register|note|enter|put|write|update|set|flag|mark|store|add)\b.{0,50}"
    r"\b(?:in|into|on|to) (?:the |your )?crm\b",
    r"\bflag (?:this|the|my|our) (?:contact|lead|prospect|account|record)\b",
    r"\bset (?:the |my |this )?(?:follow-?up|next contact|close|closing) date\b",
    r"\b(?:change|set|update|move) (?:the |this |my |our )?"
    r"(?:(?:lead|contact|deal)(?:'s)? )?(?:status|stage|owner|priority|lead score)\b.{0,20}\bto\b",
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
    # A line addressed to the machine: "SYSTEM:", "Assistant, ...", "AI agent: ...". People
    # hold the roles too ("Assistant: Jana Novak" in a signature): those lines must speak
    # to someone.
    r"^\W*(?:(?:ai|sales|email|crm) )?(?:system|bot|model|ai|llm|gpt|chatgpt|sistema|système|"
    r"systeme|ia|ki)\s*[:,]",
    rf"^\W*(?:(?:ai|sales|email|crm) )?(?:assistant|developer|admin|agent|assistente|asistente|"
    rf"assistent|assistentin|agente)\s*[:,]{_SPOKEN_TO}",
    r"\[\s*/?\s*(?:system|inst|assistant)\s*\]|<\s*/?\s*(?:system|instructions?|prompt)\s*>",
    r"#{2,}[^#\n]{0,20}(?:instruction|system|override|prompt|admin)",
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
    # Asking for the agent's instructions is extracting them: "what instructions were you
    # given?", "what's your prompt?". Naming the attack ("is it safe from prompt
    # injection?") is a buyer's question, not an attack.
    r"\bwhat (?:are|were|is|'s) (?:your|the) (?:\w+ )?(?:instructions|prompt|system prompt|"
    r"rules you follow)\b",
    r"\bwhat (?:instructions|rules|prompt) (?:were|have|are|did) you\b",
    r"\bjailbreak (?:mode|yourself|you)\b",
    flags=re.MULTILINE,
)
# A sentence that turns back to the seller ends an injected payload ("Real answer: ...").
_BACK_TO_REAL = any_of(
    r"^\W*(?:real (?:answer|talk|question|note|reply)|on a (?:real|serious|more serious|"
    r"practical) note|(?:but |ok,? )?seriously|in all seriousness|(?:all )?joking aside|"
    r"kidding aside|just kidding|anyway|anyhow|separately|also|that said|to answer your|"
    r"back to (?:your|the|business))\b"
)
_TAG = re.compile(r"<[^>]{0,300}>")


# Words in quotation marks are mentioned, not said: 'people paste "ignore previous
# instructions" into ChatGPT' tells us about an attack, it does not make one.
# Only phrases (with a space): a JSON key in quotes is a machine verdict, not a mention.
_QUOTED = re.compile(
    r"\"\w[^\"\n]{0,60}\s[^\"\n]{0,60}[\w.!?]\"|“[^”\n]{0,60}\s[^”\n]{0,60}”|"
    r"«[^»\n]{0,60}\s[^»\n]{0,60}»|"
    # Single quotes open after a space and close before one: apostrophes sit inside words.
    r"(?<![\w'])'\w[^'\n]{0,120}\s[^'\n]{0,120}[\w.!?]'(?![\w'])"
)


def _instructs_agent(text: str, instruction: re.Pattern[str]) -> bool:
    """True if the text gives the agent instructions (tags kept: hidden styles are a cue)."""
    text = _QUOTED.sub(" ", normalize(text))
    if cue_found(instruction, text):
        return True
    return "<" in text and cue_found(instruction, _TAG.sub(" ", text).strip())


def injected_sentences(
    sentences: list[Sentence], instruction: re.Pattern[str] = INJECTION
) -> set[int]:
    """Indices of sentences that instruct the agent, and those after them in their paragraph
    (the instruction's payload) up to a sentence that turns back to the seller.
    `instruction` is the cue of an instruction in the reply's language (`language_cues`)."""
    injected: set[int] = set()
    payload_paragraph: int | None = None
    for i, sentence in enumerate(sentences):
        if _instructs_agent(sentence.text, instruction):
            injected.add(i)
            payload_paragraph = sentence.paragraph
        elif (
            sentence.paragraph == payload_paragraph
            and not _BACK_TO_REAL.search(normalize(sentence.text))
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
