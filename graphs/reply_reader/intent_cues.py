"""Cue phrases of the reply intents, one pattern an intent (see `reader` for precedence).

Each is matched per sentence (`sentences.has_cue`); the intent reading in
`reader.read_reply` decides which cues may be negated.
"""

from __future__ import annotations

from graphs.reply_reader.sentences import any_of

UNSUBSCRIBE = any_of(
    r"\bunsubscribe\b",
    r"\bunsub\w*",
    r"\bremove (?:me|us|my (?:e-?mail|address|name|details|contact\w*))\b",
    r"\btake (?:me|us|my (?:e-?mail|address|name)) off\b",
    r"\btake (?:it|this (?:address|e-?mail|inbox)) off\b",
    r"\boff (?:of )?(?:your|the|this|that|these|all|any) (?:[\w-]+ ){0,2}?(?:list|lists|"
    r"sequence|cadence|campaign)s?\b",
    r"\bdo[- ]not[- ](?:contact|call|e-?mail|mail)\b",
    r"\bsuppression list\b",
    # A data-protection objection or erasure request is an opt-out, however legal its words.
    r"\bobject to (?:the )?processing\b|\b(?:erase|delete) (?:all )?(?:my |our )?personal data\b",
    r"\b(?:my|our) (?:e-?mail )?(?:address|email|details|data|name|contact details) "
    r"(?:\S+ )?(?:removed|deleted|erased|taken off)\b",
    r"\b(?:be|been|get|is|are) (?:taken off|removed from|deleted from|unsubscribed from) "
    r"(?:your|the|all|any) (?:[\w-]+ ){0,2}?(?:list|lists|database|mailings?)\b",
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
)

OUT_OF_OFFICE = any_of(
    r"^\W*(?:on leave|away|off|out of (?:the )?office)\b.{0,30}\bback\b",
    r"\bout of (?:the )?office\b",
    r"\bOOO\b",
    r"^\W*(?:on leave|away|off|out)\b.{0,25}\b(?:til|till|until|to|through|thru)\b",
    r"\bautomatic reply\b",
    r"\bauto[- ]?reply\b",
    r"\b(?:i am|i'm|i will be|i'll be|currently|presently)\s+(?:\w+\s+){0,2}?"
    r"(?:on (?:\w+ )?leave|on (?:vacation|holidays?|a business trip|sabbatical)|"
    r"away|travell?ing|out (?:of|until|till|through|from|on))\b",
    r"\b(?:on|starting|going on|taking|begin(?:ning)?) (?:my )?(?:annual|parental|maternity|"
    r"paternity|sick|medical|extended|study|shared parental) leave\b",
    r"\b(?:limited|intermittent|no|restricted) access to (?:my )?e-?mails?\b",
    r"\blimited (?:e-?mail|connectivity)\b",
    r"\baway from (?:the office|my desk|e-?mail|my e-?mail)\b",
    r"\b(?:respond|reply|get back to you|answer)\b.{0,40}\b(?:upon|on|after|when i) "
    r"(?:my )?return\b",
    r"\breturning to the office\b",
    r"\bback in the office\b",
)

# The person has left (or the mailbox is dead): a referral even when an auto-reply says so,
# which is why it is read before out-of-office wording.
DEPARTED = any_of(
    r"\b(?:doesn't|does not|don't|no longer|is no more|are no more) work(?:s|ing)? (?:here|there|"
    r"for us|with us|in|at)\b",
    r"\b(?:my|our|this) (?:e-?mail )?address (?:has )?changed\b|\bplease (?:re)?send (?:your "
    r"(?:message|e-?mail) )?to\b",
    r"\bthis mailbox (?:is (?:for|only|not|no longer|used)|will be closed)\b",
    r"\b(?:sales|marketing|commercial|vendor|supplier) (?:enquiries|inquiries|emails|messages) "
    r"should (?:be )?(?:sent|directed|addressed|go) to\b",
    r"\bno longer (?:with|at|work|working|employed|in (?:this|that) role|responsible|handle|"
    r"handling|in charge)\b",
    r"\b(?:have |i've |i )?left (?:the company|the firm|the business|\w+ (?:in|last))\b",
    r"\b(?:e-?mail )?(?:address|mailbox|account|inbox) is no longer (?:monitored|active|in use|"
    r"used|checked|read)\b",
    r"(?-i:\b(?:has|have) left [A-Z])",
    r"\b(?:has|have) left (?:the|our|this) (?:company|firm|business|organi[sz]ation|team)\b",
    r"\bi(?:'ve| have)? (?:retired|moved on)\b|\b(?:has|have) retired\b",
    r"\bno longer (?:part of|a member of|employed (?:by|at)|at|with) \w+",
)

WRONG_PERSON = any_of(
    r"\bwrong (?:guy|person|contact|man|woman|lady|department|team|dr|doctor|one)\b",
    r"\b(?:you've|you have|you've got|you got) the wrong\b",
    r"\b(?:i'?m|i am) (?:just|only) (?:the|a|an) (?:\w+ )?(?:receptionist|assistant|admin|"
    r"intern|temp|secretary|coordinator|clerk)\b",
    r"\b(?:\w+ )?(?:owner|manager|director|boss|partner|partners|board|ceo|cfo|head) "
    r"(?:makes|make|takes|take|handles|handle) (?:these|those|the|such|that|all the) "
    r"(?:decisions?|calls?)\b",
    r"\byou(?:'d| would)? want (?:to (?:talk|speak) to )?(?:our|my|the) \w+",
    r"\b(?:that|it|this|purchasing|procurement|buying) (?:now )?(?:sits|lies|rests) with (?:our|my|"
    r"the|a)\b",
    r"\bi(?:'ve| have)? (?:moved|switched|transferred) (?:over )?(?:to|into) (?:\w+ )?(?:treasury|"
    r"finance|sales|"
    r"another|a different|head office|the \w+ team)\b",
    r"\b(?:isn't|is not|'s not) (?:mine|my (?:area|job|remit)) any ?more\b|\b(?:took|has taken|"
    r"is taking) over (?:the team|from me|my (?:role|job|team))\b",
    r"\b(?:would be|is|'s) your best bet\b",
    r"\bno longer involved\b",
    r"\b(?:i|we) (?:just|only) (?:do|handle|look after|deal with|run)\b",
    r"\b(?:doesn't|does not|don't|do not) (?:look after|handle|deal with|cover|own|manage) "
    r"(?:\w+ ){0,3}?(?:systems?|purchasing|buying|tools?|this|that|it)\b",
    r"\bnot the (?:right|correct|best|appropriate|relevant) (?:person|contact|one|people|team)\b",
    r"\bwrong (?:person|contact|e-?mail|address|department|team)\b",
    r"\bi(?:'ve| have)? (?:moved|changed) (?:to|on|roles|positions|companies|teams|jobs)\b",
    r"\byou(?: should|'d need to| would need to| might want to| may want to| could| need to|"
    r"'ll want to|'d want to|'d better| want to) (?:talk|speak|reach out|contact|connect|"
    r"get in touch|e-?mail|write|ask)\b",
    r"\b(?:reach out|talk|speak|write|get in touch|connect|e-?mail) (?:to|with) "
    r"(?:my colleague|our (?:head|director|vp|cto|cio|ceo|cfo|coo|buyer|procurement|purchasing|"
    r"it|team))",
    r"\bi(?:'ve| have) left (?!you\b|a\b|the message\b|word\b)",
    r"\b(?:is|are|'s|'re) (?:the )?(?:right|best|correct) (?:person|contact|people)\b",
    r"\b(?:who )?(?:handles|owns|is (?:responsible|in charge) (?:for|of)) (?:this|that|these|"
    r"purchasing|procurement|buying|it|vendor)",
    r"\b(?:not|isn't|is not|'s not|wasn't|aren't) (?:really |actually )?(?:my|our) (?:area|"
    r"department|remit|field|domain|wheelhouse|responsibility|job|thing|"
    r"(?:area|line) of (?:work|responsibility))\b",
    r"\b(?:i'm|i am|i'm actually|i am actually) not (?:\w+ )?responsible for (?:this|that|it|"
    r"these|purchasing|buying|procurement)\b",
    r"\b(?:is|'s|are|'re) (?:now )?your (?:new )?(?:contact|point of contact|person|people)\b",
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

# Copying or forwarding to a colleague: a referral only when the lead says nothing else
# ("Copying Priya from HR. How does private-trip mode work?" is her own question).
COPYING = any_of(
    r"\b(?:cc'?ing|cc-ing|copying|looping in|looped in|i(?:'ve| have) (?:cc'?d|copied|added|"
    r"looped in|forwarded))\b",
    r"\bforwarded (?:this|your (?:e-?mail|message|note)) to\b",
    r"\b(?:i'll|i will|i'm going to|let me|will) (?:forward|pass) (?:this|it|your (?:e-?mail|note|"
    r"message)) (?:on |along )?to\b",
)

SARCASM = any_of(
    r"^\W*oh,? (?:great|wonderful|fantastic|joy|good|brilliant)\b",
    r"\banother \w+ (?:that )?nobody (?:\w+ ){0,4}(?:will|would) (?:ever )?(?:use|open|read|"
    r"look at)\b",
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

MEETING = any_of(
    r"\b(?:monday|tuesday|wednesday|thursday|friday)(?: (?:morning|afternoon|evening|lunchtime))?"
    r"(?: (?:at|after|before|around|from) \d{1,2}(?:[:.]\d\d)?(?: ?(?:am|pm))?)?\s*\?",
    r"\bthe (?:monday|tuesday|wednesday|thursday|friday|morning|afternoon) (?:one|slot|option)\b",
    r"\b(?:monday|tuesday|wednesday|thursday|friday) (?:after|before|from|around) \d{1,2}\b",
    r"\b(?:schedule|book|arrange|set up) (?:the|a|an) (?:\w+ )?(?:demo|call|meeting|walkthrough)\b",
    r"\b(?:the )?(?:first|second|third|1st|2nd|3rd|earlier|later|former|latter|either) "
    r"(?:one|option|slot|time)?(?:'s| is)? ?(?:works|suits|is fine|is good|is grand|grand|"
    r"please|would work|for me|sounds good|is perfect|perfect)\b",
    r"^\W*(?:sure|yes|ok|okay|great|perfect)?\W*(?:that )?(?:works|suits|sounds good|is fine)"
    r" (?:for|with) (?:me|us)\b",
    r"\bsend (?:me |us )?(?:an |the |a )?(?:invite|invitation|calendar invite)\b",
    r"\bwill send (?:you )?(?:an |the |a )?(?:invite|invitation|calendar invite|teams link|"
    r"zoom link)\b",
    r"\blet'?s (?:get|grab|find|put|book) (?:\d{1,3} ?(?:min(?:ute)?s?)|half an hour|an hour|some "
    r"time)\b",
    r"\b(?:grab|pick|book|choose) (?:a|any|whatever|whichever|some) (?:\w+ )?(?:slot|time)\b",
    r"\b(?:schedule|set up|book|arrange) (?:a |an |the )?(?:\w+ )?(?:demo|call|meeting|walkthrough)"
    r" with (?:you|us|me)\b",
    # Not "have a chat with the other partners": a talk among themselves.
    r"\b(?:set up|setup|schedule|book|arrange|organi[sz]e|find|grab|have|jump on|hop on|"
    r"get) (?:a |some |an )?(?:quick |short |brief |\d{1,2}[- ]?min(?:ute)?s? |half[- ]hour |"
    r"first |intro(?:ductory)? )?(?:call|meeting|chat|time|demo|zoom|teams (?:call|meeting)|"
    r"slot|session|conversation|walkthrough)\b(?! (?:with|among) (?:the|my|our|his|her|their|"
    r"internal|other|some|a few) )",
    r"\b(?:will|'ll|going to|gonna) (?:send|shoot|forward) (?:you |over |across |you over )?"
    r"(?:an |the |a )?(?:calendar |meeting |teams |zoom )?(?:invite|invitation|link)\b",
    r"\btake you up on (?:the|your|that) (?:demo|call|offer|meeting|walkthrough|chat)\b",
    r"\b(?:get|hop|jump) on a (?:call|zoom|teams call) (?:on |this |next )?(?:monday|tuesday|"
    r"wednesday|thursday|friday|tomorrow|today|next week|this week)\b",
    r"\b(?:give (?:me|us) a (?:bell|call|ring|buzz)|ring (?:me|us)|call (?:me|us)|phone (?:me|us))"
    r" (?:\S+ ){0,2}?(?:monday|tuesday|wednesday|thursday|friday|tomorrow|today|mon|tue|wed|"
    r"thu|fri)\b",
    r"^\W*(?:monday|tuesday|wednesday|thursday|friday|tomorrow)(?:'s| is| would be)"
    r" (?:better|best|good|fine|great|perfect|ok|okay|easier)\b",
    r"\b(?:can|could|shall|should) we (?:meet|talk|speak|chat|connect|hop on|jump on|"
    r"schedule|set up|do a)\b",
    r"\blet'?s (?:meet|talk|chat|connect|speak|schedule|set up|book|do a call|find a time|"
    r"get on a call)\b",
    r"\b(?:send|share) (?:me |us )?(?:a |an |your |the )?(?:calendar|meeting|zoom|teams) "
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
    # A slot named in the lead's own words: a day with a clock time ("Thursday 2pm.").
    r"\b(?:monday|tuesday|wednesday|thursday|friday|tomorrow|mon|tue|wed|thu|fri)\b[,.]?"
    r"(?: (?:the )?\d{1,2}(?:st|nd|rd|th)?)?(?: \w+)?,? (?:at |@ |from |around )?\d{1,2}(?::\d\d)?"
    r" ?(?:am|pm|a\.m\.|p\.m\.)",
    r"\b\d{1,2}(?::\d\d)? ?(?:am|pm) (?:on )?(?:monday|tuesday|wednesday|thursday|friday|"
    r"tomorrow)\b",
)

# The lead asks to be contacted again: the sentence that names when ("circle back in March").
RECONTACT = any_of(
    r"\b(?:reach|circle|check|come|get|follow) (?:back|out|up)\b",
    r"\b(?:reconnect|revisit|recontact|revert)\b",
    r"\b(?:ping|try|contact|call|email|e-mail|write to|ring|nudge) (?:me|us)\b",
    r"\b(?:touch base|get in touch|drop (?:me|us) a (?:line|note|mail|email))\b",
    r"\b(?:hit (?:me|us) up|give (?:me|us) a (?:shout|bell|buzz))\b",
    r"\b(?:talk|speak|ask|chat|look at (?:it|this|that)) again\b",
)

NOT_NOW = any_of(
    r"\bdrop (?:me|us) a (?:line|note|mail|email)\b",
    # "Kindly revert after the audit" asks us to wait; "(I) will revert after internal
    # discussion" is the lead promising an answer.
    r"\b(?:revert|connect|reconnect|get back|come back) (?:back )?to (?:me|us) (?:after|once|"
    r"when) \b",
    r"(?:\b(?:please|kindly|pls|do) |^\W*)(?:revert|connect|reconnect|get back|come back) "
    r"(?:back )?(?:after|once|when) \b",
    r"\bafter some time\b",
    r"\bnot (?:interested |looking (?:at (?:this|it|that|this topic) )?|a priority |a focus )?"
    r"(?:right now|now|at the moment|for now|just yet)\b",
    r"\b(?:look|revisit|review|consider|evaluate|think about) (?:at )?(?:this |it |that )?again\b",
    r"\bmaybe (?:in|next|after|around|towards) (?:q[1-4]|h[12]|the|\w+ (?:quarter|year))",
    r"\bnot at the moment\b",
    r"\bnot (?:just )?yet\b",
    r"\bnot this (?:quarter|year|month|half)\b",
    r"\bmaybe later\b",
    r"\bnot (?:the right|a good|the best|great) (?:time|moment|timing)\b",
    # "Maybe down the road" defers; "could be useful down the line" is interest.
    r"\b(?:maybe|perhaps|possibly|sometime|some time|revisit|later|again) (?:\S+ ){0,3}?"
    r"(?:further )?down the (?:road|line|track)\b",
    # "I'll get/come back to you" is the lead promising an answer, not a deferral.
    r"\b(?:circle|check|come) back\b(?! to you\b)",
    r"\b(?:come|get) back to you (?:after|in|next|once|when|around|towards|closer to)\b",
    r"\b(?:reach out|get back|follow up|touch base|ping|contact|try|e-?mail|write|reconnect|"
    r"talk|ask|hit (?:me|us) up|give (?:me|us) a (?:shout|bell|buzz))(?: (?:to|with|in touch))?"
    r"(?: (?:me|us))?(?: again)? (?:in|after|next|later|around|"
    r"closer to|once|when|towards|at the (?:start|end|beginning))\b",
    r"\brevisit (?:this |it )?(?:in|after|next|later)\b",
    r"\b(?:ping|e-?mail|call|ring|contact|message|nudge|write to|get back to) (?:me|us) (?:again )?"
    r"(?:in |on |at |around |towards |after |from )?(?:early|mid|late|the end of|the start of|"
    r"next|the new year|q[1-4]|january|february|march|april|may|june|july|august|september|"
    r"october|november|december)\b",
    r"\btry (?:me|us) (?:in |again in |after )?(?:january|february|march|april|may|june|july|"
    r"august|september|october|november|december|the new year|q[1-4])\b",
    r"\bgive (?:it|me|us) (?:until|till|about|around|a few|another|a couple of)\b",
    r"\bwhen (?:that|it|this|the (?:contract|lease|deal|licen[cs]e)|our (?:contract|lease|deal|"
    r"licen[cs]e)) (?:runs out|expires|ends|is up)\b",
    r"\b(?:not|nobody|no one|nothing|can't|cannot|won't|unable to)\b.{0,60}\b(?:until|till|"
    r"before) (?:after |the end of |the new year|next|january|february|march|april|may|june|"
    r"july|august|september|october|november|december|q[1-4]|it|that|this|we)",
    r"\bnot in a position to\b",
    # "Not something I can take on at the moment"; "not interested at this time" is a no.
    r"\b(?:not|n't) (?:something|anything|a conversation|a priority|a project|able|in a position|"
    r"the (?:right )?time)\b(?: \w+){0,5}? (?:right now|at the moment|currently|for now|"
    r"this (?:year|quarter))\b",
    r"\b(?:is|are|been|it's|that's) (?:\w+ )?(?:parked|on ice|on the back burner|shelved|paused)\b",
    r"\bpark (?:this|it|that)\b",
    r"\bi'll (?:shout|let you know|get in touch|reach out) (?:if|when|once) (?:that|this|things|"
    r"it)\b",
    r"\b(?:once|when) (?:we're|we are|we've|we have|things|it's|it is) (?:\w+ ){0,4}?(?:again|"
    r"calmed down|settled|done|over|finished|live|through)\b",
    r"\bi'll (?:get in touch|reach out|come back to you|be in touch) (?:myself|when|once)\b",
    r"\b(?:try|ping|e-?mail|contact|write to|call) (?:me|us) again\b",
    r"\bgive it (?:about |around |a few |another |a couple of )?(?:\w+ )?(?:weeks|months)\b",
    r"\buntil (?:that's|that is|this is|we're|we are|it's|it is) (?:done|over|finished|through|"
    r"behind us|settled)\b",
    r"\btoo (?:early|soon)\b",
    r"\b(?:bad|wrong) timing\b",
    r"\btiming (?:is not|isn't|'s not) right\b|\btiming (?:is|'s) (?:off|bad|wrong)\b",
    r"\bnot a priority (?:right now|at the moment|this|for)\b",
    r"\b(?:swamped|busy|slammed|tied up) (?:until|till|right now|at the moment|this)\b",
    r"\bafter (?:our|the) (?:budget|planning|fiscal|reorg|merger|migration|launch|holidays|"
    r"audit|freeze|rollout|implementation)",
    r"\bon hold\b",
    r"\blater (?:this|in the) (?:year|quarter)\b",
    r"\buntil next (?:year|quarter|month|fiscal year)\b",
)

NOT_INTERESTED = any_of(
    r"\b(?:we'd|i'd|we would|i would) be (?:keen|interested|open to it)\b",
    r"\blooks (?:decent|neat|solid|nice|cool)\b|\bwill have a (?:think|look)\b",
    r"\b(?:we're|we are) (?:all )?good,? thank",
    r"\bnot happening\b|\bcan(?:'t|not) justify\b",
    r"\b(?:works|working) (?:fine|well|great|ok) for us\b",
    r"\bno budget (?:for (?:this|it|that),? )?ever\b",
    r"\b(?:wrote|built|developed) (?:us )?(?:a|our own) (?:\w+ )?(?:script|tool|system|solution)\b",
    r"\bnot interested\b",
    r"^\W*(?:sure|yeah|oh sure|right|of course),? because\b",
    r"\bnever going to be (?:on the table|a priority|happening|something)\b|\bnot on the table\b",
    r"\bcan(?:'t|not) see us (?:paying|buying|switching|changing|using|needing)\b",
    r"\b(?:is|are) (?:more than )?(?:enough|plenty|sufficient) for us\b",
    r"\b(?:neither now nor|not now,? (?:or|nor|and not)|now or) (?:later|ever|in the future|"
    r"down the road)\b|\bnot now,? not ever\b",
    r"\b(?:don't|do not|no) (?:plan|intend|intention|plans) to (?:switch|change|replace|move)\b",
    r"\b(?:satisfied|content) with (?:our|the|what we have|the current|our current|our existing)"
    r"\b",
    r"\b(?:have|has|had|implemented|built|developed|use|using|run|running) (?:already )?"
    r"(?:an? |our own |our )?in-?house\b",
    r"\b(?:passing|pass|we'll pass|i'll pass) on (?:this|that|it)\b",
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
    r"\b(?:we'll|i'll|we will|i will) pass\b(?! (?:it|this|that|them|on|along|round|around|"
    r"to|your|the))",
    r"^\W*pass(?:ing)?\W*$",
    r"\bpass on this\b",
    r"\bdecided (?:to go|against)\b",
    r"\bwent with (?:another|a different|a competitor|\w+ instead)\b",
    r"\b(?:we )?(?:went live|are live|have gone live|rolled out|are rolling out|renewed|"
    r"finished rolling out) (?:on|with)\b",
    r"\b(?:will be|is|are) (?:closing|shutting)(?: down)?\b|\bclosing down\b|\bbeing acquired\b|"
    r"\b(?:we're|we are) merging\b",
    r"\b(?:decided|procured|purchased|bought|taken|made|handled|decision was taken) (?:\w+ )?"
    r"(?:centrally|at group level|by (?:our|the) (?:parent|group|head office|hq))",
    r"\b(?:way )?beyond what we need\b|\boverkill for us\b|\btoo (?:small|big|complex) for\b",
    r"\b(?:we'll|we will|i'll|i will) be (?:fine|ok|okay|alright),? thank",
    r"\bno point in (?:us )?(?:evaluating|looking|talking|considering)\b",
    r"\bno (?:universe|world|way) in which\b|\b(?:will|'ll) (?:never|not ever) (?:have|get|find) "
    r"(?:the )?(?:budget|money)\b",
    r"\b(?:built|build|developed|wrote) our own\b",
    r"\b(?:won't|will not|aren't|are not) (?:be )?looking at (?:outside|other|external|new|any)\b",
    r"\b(?:so|then|and|therefore),? no\W*$",
    r"\b(?:we(?:'ve| have)?|i(?:'ve| have)?) (?:just |recently |already )?(?:signed|gone|partnered|"
    r"contracted|committed) with\b",
    r"\b(?:no|not any) (?:intention|plans?) (?:of|to) (?:changing|switching|adding|buying|"
    r"replacing|change|switch|add|buy|replace)\b",
    r"\bnever (?:going to |gonna )?(?:pay|spend|buy|have (?:the |a )?budget)\b",
    r"\bchose (?:another|a different)\b",
    r"\bnot (?:looking|in the market)\b",
    r"\b(?:how|where) did you get my (?:e-?mail|address|details|number)\b",
    r"\b(?:isn't|is not|aren't|are not|not) (?:really |at all )?relevant\b",
    r"\bnot worth (?:it|the (?:effort|money|investment))\b",
    r"\b(?:build|built|building|develop|developing|do|doing) (?:it |this |that |something |our own "
    r"|one )?in-?house\b",
    r"\bdecided to (?:build|develop|stay|keep|stick|go with|use|continue)\b",
    r"\bthanks? (?:you )?anyway\b",
    r"\bdo your (?:research|homework)\b",
    r"\bthere (?:won't|will not|will be no|is no) (?:be )?(?:a |any )?(?:project|budget|purchase|"
    r"investment|need)\b",
)

# Pleasantries written as questions ask nothing of the seller.
GREETING = any_of(
    r"^\W*(?:hi|hey|hello|dear)?\W*(?:\w+\W+)?(?:how are you|how are things|how's it going|"
    r"how have you been|hope (?:you're|you are|all is) (?:well|good)|how was your (?:weekend|week))"
    r"\W*\??\W*$",
)

# Questions about who is writing show no interest in the product.
SENDER_QUESTION = any_of(
    r"\bdo (?:u|ya) (?:do|have|offer|support|sell|make|work)\b",
    r"\bwhats\b",
    r"\bwho (?:are you|is this|is writing|do you work for|are you with|gave you)\b",
    r"\b(?:how|where) did you (?:get|find) (?:my|our|this)\b",
    r"\bwhat (?:company|firm) (?:are you|is this)\b",
)

# Not now and not later either: a refusal for good, whatever deferral words it uses.
FOR_GOOD = any_of(
    r"\b(?:neither now nor|not now,? (?:or|nor|and not)|now or) (?:later|ever|in the future|"
    r"down the road)\b",
    r"\bnot now,? not ever\b|\bnot now and not (?:later|ever)\b",
)

# About the email itself, not the product or the sender's company: "Is this automated?",
# "did an actual person write this?".
ABOUT_EMAIL = any_of(
    r"\bis (?:this|that|it) (?:an? )?(?:automated|automatic|auto-?generated|mass|template)\b",
    r"\b(?:did|does) (?:a|an actual|a real) (?:person|human)\b",
)

QUESTION = any_of(
    r"\bhow (?:does|do|much|many|long|would|is|are|can)\b",
    r"\bwhat (?:exactly |precisely |actually )?(?:does|do|is|are|would|about)\b|\bwhat's\b",
    r"\bwhat(?:'s| is) the (?:damage|price|cost|ballpark)\b",
    r"\bdo you (?:support|integrate|offer|have|work|provide|handle)\b",
    r"\bdoes (?:it|this|your)\b",
    r"\b(?:can|could) you (?:send|share|explain|tell|clarify|confirm)\b",
    r"\b(?:i'?d|i would) (?:like|love) to (?:know|understand)\b",
    r"\b(?:please|kindly|pls|can you|could you) (?:confirm|clarify|advise|let (?:me|us) know|tell "
    r"(?:me|us)) (?:\S+ ){0,2}?(?:if|whether|which|where|when|how (?:long|much|many))\b",
    # Wanting to know one thing: "need to know whether", "want to check if", "have to
    # understand how long". "Would love to understand what you do" or "how you could help"
    # is interest in the product as a whole.
    r"\b(?:need|needs|want|wanted|keen|eager|interested|looking|trying|like|love|have) to "
    r"(?:know|understand|hear|learn|find out|check|confirm|clarify) (?:\S+ ){0,3}?"
    r"(?:if|whether|which|where|when|how (?:long|much|many|soon|quickly|often|fast))\b",
    r"\b(?:i'?m|i am) (?:curious|wondering)\b",
    r"\b(?:wondering|curious) (?:if|whether|how|what|about)\b",
    r"\b(?:send|share|e-?mail)(?: over| across)? (?:me |us )?(?:your |the |a |some )?(?:pricing|"
    r"prices|price list|rate card|quote|quotation)",
    r"\bis there (?:a|an|any)\b",
)

# A request for material, a proposal or the next step is interest, not a question, even
# when it ends in "?" ("Could you send me the deck?", "How do we get started?"): there is
# nothing for the FAQ to answer.
REQUEST = any_of(
    r"\b(?:send|share) (?:over |across )?(?:whatever|anything|what) (?:you've got|you have)\b",
    r"\b(?:sample|draft|template|copy of (?:the|your)) (?:contract|agreement|order form|msa)\b",
    r"\b(?:send|share|forward|e-?mail|pass (?:on|along)|attach|drop)(?: over| across| through)?"
    r" (?:me |us |it |them )?(?:(?!pric|quot|cost|rate)\w+ ){0,3}?(?:info|information|details|"
    r"deck|slides|brochure|"
    r"one-pager|case stud(?:y|ies)|white ?papers?|data ?sheets?|materials?|documentation|docs|"
    r"overview|references|examples|video|recording|product sheet|spec sheet|literature|"
    r"presentation|something (?:in writing|to read))\b",
    r"\b(?:do you have|is there|have you got|got) (?:a|any|some) (?:\w+ )?(?:deck|brochure|"
    r"case stud(?:y|ies)|white ?paper|one-pager|data ?sheet|overview|material|references|"
    r"presentation|video)\b",
    r"\b(?:anything|something) (?:in writing|i can (?:read|share|forward|pass on|show))\b",
    r"\b(?:send|share|put together|prepare|draft) (?:me |us )?(?:a |an |your )?(?:\w+ )?"
    r"(?:proposal|offer|contract|order form|agreement)\b",
    r"\bwhat (?:do|would|will) you need from (?:us|me)\b",
    r"\bwhen can (?:we|you|i) (?:start|begin|kick off|get started|go live)\b",
    r"\b(?:what(?:'s| are| is) (?:the )?next steps?|how (?:do|can|should) (?:we|i) (?:get started|"
    r"start|proceed|move forward|go about it|sign up|begin)|where do (?:we|i) (?:start|sign))\b",
)

# The lead asks to buy or to start a trial or pilot: interest, and high, whatever else she
# asks ("Let's do the pilot. What do you need from us?").
COMMIT = any_of(
    r"\blet'?s (?:do|start|go (?:ahead )?with|kick off|run|try|book|set up) "
    r"(?:the |a |your |that )?(?:[\w-]+ ){0,3}?(?:pilot|trial|poc|proof of concept|sandbox|test)\b",
    r"\btake you up on (?:the |your |that )?(?:offer|trial|pilot|free|\d+ free)\b",
    r"\b(?:we'?d|i'?d|we would|i would|we want|i want|we are ready|we're ready|i'm ready|"
    r"i am ready) (?:like |love )?to (?:start|begin|run|kick off|go ahead with|sign up for|"
    r"move forward with|buy|sign|order|purchase|get started|roll (?:it|this) out)\b",
    r"\b(?:sign|count) (?:us|me) (?:up|in)\b",
    r"\bready to (?:buy|sign|move forward|go ahead|start|proceed|purchase|order)\b",
    r"\blet'?s get (?:the |a |your )?(?:\w+ ){0,3}(?:free|trial|pilot)\b",
    r"\b(?:we'?d|i'?d|we would|i would) (?:like|love) to (?:try|test|trial) (?:it|this|your|the)\b",
    r"\b(?:ok|okay|yes|happy|keen|go ahead),? (?:to |for |with |let's )?(?:start |do |run )?"
    r"(?:the |a |your )?(?:free )?(?:pilot|trial|sandbox)\b",
)

# A purchase plan with a time ("I want to start in September", "we plan to decide by end
# of June"): a timeline of buying, never a deferral.
PLANS = any_of(
    r"\b(?:we|i) (?:want|plan|intend|aim|hope|need|'d like|would like) to (?:start|launch|go live|"
    r"decide|roll (?:it |this )?out|implement|switch|have (?:it|something|this) (?:live|running|"
    r"in place))\b",
    r"\b(?:the (?:plan|idea|goal|aim) is to|we're aiming to|we are aiming to) (?:start|launch|go "
    r"live|decide|roll out|implement|switch|have)\b",
)

INTERESTED = any_of(
    r"\bkeep (?:me|us) (?:posted|in the loop|updated|informed)\b",
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
)

# -- small acts the reader checks around the intents -----------------------------------

# A sentence that is only a refusal ("No.", "No, thanks.", "Pass.").
FLAT_NO = any_of(r"^\W*(?:no|nope|nah|pass|no,? thanks?|no,? thank you)\W*$")

# A sentence that sets a condition ("Otherwise there is no point talking"): not a decline.
CONDITION = any_of(r"^\W*(?:otherwise|if not)\b")

# Words that make naming a competitor a reason to talk, not a decline ("we use Samsara but
# it costs a fortune", "our contract runs until March").
DISSATISFIED = any_of(
    r"\b(?:unhappy|not happy|frustrat\w*|problems?|issues?|replac\w*|switching from|"
    r"(?:looking|want\w*|plan\w*|consider\w*) to switch|leav\w*|expir\w*|ends?|runs? out|"
    r"compar\w*|vs\.?|versus|alternative|through|until|till)\b",
)

# Greetings, thanks, sign-offs and mobile footers: framing, not content.
SALUTATION = any_of(
    r"^\W*(?:hi|hello|hey|dear|thanks|thank you|many thanks|cheers|regards|best|kind regards|"
    r"sent from my|get outlook)\b(?:\W+\w+){0,2}\W*$",
)

# "I'll call you when things calm down, ok?": a tag asks for nothing.
TAG_QUESTION = any_of(r",\s*(?:ok|okay|right|yeah)\s*\?\s*$")
