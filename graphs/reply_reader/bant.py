"""BANT (budget, authority, need, timing) of a reply, with the lead's own words as evidence.

Evidence is always a verbatim substring of the cleaned reply (the sentence that carries
the cue), except authority from a senior job title (c-level, VP, director, head: evidence
"Job title: ..."), which wins over what the text says, and dimensions carried over from
earlier replies. Carry-over: a dimension judged met or not met in an earlier reply keeps
that verdict (and its quote) until a later reply says otherwise.
"""

from __future__ import annotations

import re

from core.conversation import ConversationTurn
from core.icp_profile import Seniority
from core.reply_reading import Bant, BantItem, BantVerdict
from graphs.icp.title import classify_title
from graphs.reply_reader.sentences import Sentence, any_of, has_cue, normalize

BANT_DIMENSIONS = ("budget", "authority", "need", "timing")
SENIOR_LEVELS = frozenset({Seniority.C_LEVEL, Seniority.VP, Seniority.DIRECTOR, Seniority.HEAD})

_BANT_CUES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # dimension: (met, not met); not met is checked first within a sentence.
    "budget": (
        any_of(
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
        any_of(
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
        any_of(
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
        any_of(
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
        any_of(
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
        any_of(
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
        any_of(
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
        any_of(
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


def read_bant(sentences: list[Sentence]) -> Bant:
    """BANT from the cues in `sentences`: a not-met cue wins, else the first met one."""
    items: dict[str, BantItem] = {}
    for dimension, (met, not_met) in _BANT_CUES.items():
        verdict_item = BantItem()
        for sentence in sentences:
            text = normalize(sentence.text)
            if not_met.search(text):
                verdict_item = BantItem(verdict=BantVerdict.NOT_MET, evidence=sentence.text)
                break
            if verdict_item.verdict == BantVerdict.UNKNOWN and has_cue(
                met, sentence.text, negatable=True
            ):
                verdict_item = BantItem(verdict=BantVerdict.MET, evidence=sentence.text)
        items[dimension] = verdict_item
    return Bant(**items)


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
