"""English cues of BANT in a reply: budget, authority, need and timing, met and not met.

The other languages' cues are in `cues/<lang>.yaml` (see `language_cues`); the problems a
product solves come from its profile (`graphs/knowledge/profiles/`), and dates are judged
by `dates`, so these are only the product-neutral English phrasings.
"""

from __future__ import annotations

from graphs.reply_reader.sentences import any_of

# An amount of money in any currency, symbol or code before or after the number: "$40k",
# "€ 25.000", "CHF 50'000", "R$ 3.500", "120-150k USD", "300 € par mois", "2 Mio. Euro".
_NUMBER = r"\d[\d.,'’\u202f\u00a0]*(?:-\d[\d.,'’]*)?"
_SCALE = (
    r"(?:\s?(?:k|m|mm|bn|mn|mio\.?|mrd\.?|millionen|millions?|million|millones|milhões|milhoes|"
    r"mil|mille|tsd\.?|thousand|lakhs?|crores?|t(?=\s?(?:€|eur\b))))?"
)
_CURRENCY_BEFORE = (
    r"(?:us\$|r\$|a\$|au\$|nz\$|c\$|[$€£¥₹]|\b(?:chf|usd|eur|gbp|mxn|brl|cad|sek|inr|rs\.?|ars|"
    r"cop|clp|pen|aud|nzd|zar)\b)"
)
_CURRENCY_AFTER = (
    r"(?:€|\$|£|₹|\b(?:eur|euros?|usd|dollars?|gbp|pounds?|chf|franken|francs?|reais|pesos|"
    r"mxn|brl|inr|rupees|ars|cop|clp|pen|aud|nzd|zar|rand)\b)"
)
AMOUNT = (
    rf"(?:{_CURRENCY_BEFORE}\s?{_NUMBER}{_SCALE}|(?<![\w.,]){_NUMBER}{_SCALE}\s?{_CURRENCY_AFTER})"
)

BUDGET_MET = any_of(
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
    r"\b(?:set|put) (?:\w+ ){0,3}aside\b",
    # An amount in any currency in a sentence about budget, or set aside for this.
    rf"\bbudget\w*\b.{{0,60}}{AMOUNT}|{AMOUNT}.{{0,60}}\bbudget",
    rf"{AMOUNT}(?: \S+){{0,5}}? (?:signed off|approved|allocated|allotted|earmarked|set aside|"
    r"ring-?fenced|budgeted|reserved|in (?:the|this year's|next year's|our) (?:plan|budget))\b",
    rf"\b(?:approved|allocated|allotted|earmarked|signed off|reserved|set aside)(?: \S+){{0,5}}? "
    rf"{AMOUNT}",
    rf"\b(?:we|i) (?:have|'ve got|got) (?:about |around |roughly |some |up to )?{AMOUNT}",
)

BUDGET_NOT_MET = any_of(
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
    r"\bbudget(?:'s| is| has been| was) (?:frozen|spoken for|gone|spent|exhausted|cut|on hold|"
    r"committed|allocated elsewhere)\b",
    r"\b(?:everything|all spend\w*|spending|all purchasing)(?:'s| is| has been) "
    r"(?:frozen|on hold)\b",
    r"\bno spend(?:ing)? (?:approved|allowed|authori[sz]ed)\b",
    r"\b(?:will|'ll) never (?:pay|spend|have (?:the |a |any )?budget)\b",
    r"\b(?:ever|never) (?:have|get) (?:the |a |any )?budget\b",
    r"\balready committed (?:this|for the|for this) (?:year|quarter)\b",
)

AUTHORITY_MET = any_of(
    r"\bi (?:make|own|sign off on|approve) (?:the |this |that |these |all )?"
    r"(?:call|decision|decisions|purchase|purchases|budget)",
    r"\bi(?:'m| am) the (?:final )?(?:decision[- ]maker|budget holder|buyer|one who "
    r"decides)",
    r"\b(?:it's|it is) my (?:call|decision)\b",
    r"\bi (?:have|hold) (?:the )?(?:authority|sign-?off|final say)\b",
    r"\bi can (?:approve|sign|make the decision)\b",
    r"\bi(?:'m| am) responsible for (?:purchasing|buying|procurement|this decision|"
    r"vendor selection|the budget)",
)

AUTHORITY_NOT_MET = any_of(
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
    # Someone else decides: the lead takes it to them, or the decision sits elsewhere.
    r"\b(?:take|bring|show|forward|put|present|pass|run)\b (?:\S+ ){0,6}?(?:to|by|in front of|"
    r"past|on the desk of) (?:my|our|the) (?:\S+ )?(?:boss|director|md|managing director|cfo|ceo|"
    r"coo|owner|owners|partners?|board|committee|management|manager|head|vp|gm|principal|"
    r"leadership|parent company)\b",
    r"\b(?:put|take|bring) (?:it|this|them) in front of (?:dr\.? |mr\.? |mrs\.? |ms\.? )?[A-Z]\w+",
    r"\b(?:final )?(?:decision|call|say|sign-?off)\b (?:\S+ ){0,3}?(?:sits|lies|rests|is|will be|"
    r"was taken|is taken|is made|was made|were taken) (?:with|at|by) (?:my|our|the) (?:\S+ )?"
    r"(?:board|group|parent|head office|hq|headquarters|management|owner|owners|partners?|"
    r"committee|cfo|ceo|director|boss|level)\b",
    r"\b(?:procured|purchased|bought|decided|chosen|mandated|handled) centrally\b|\bat group "
    r"level\b|\bby (?:our|the) (?:new )?parent(?: company)?\b",
    r"\b(?:gathering|pulling together|collecting) (?:\S+ ){0,3}?(?:info|information|options|"
    r"quotes)\b.{0,40}\bfor (?:my|our|the) (?:boss|manager|director|head|cfo|ceo|owner)\b",
    r"\b(?:need|'ll need|will need) (?:my|our|the) (?:\S+ )?(?:boss|director|cfo|ceo|coo|owner|"
    r"board|manager|md)(?:'s)? (?:ok|okay|approval|sign-?off|go-ahead|blessing|green light)\b",
    r"\bnothing I can (?:do|change)\b|\b(?:overruled|outvoted)\b",
)

NEED_MET = any_of(
    r"\b(?:we|i) (?:struggle|are struggling|'re struggling|have struggled) with\b",
    r"\bour (?:biggest |main |real |current )?(?:problem|challenge|pain(?: point)?|issue|"
    r"bottleneck|headache) (?:is|are|has been|right now)\b",
    r"\b(?:we|i) (?:really |urgently |definitely |do )?need (?:a|an|to|better|something|"
    r"help|more|some|this|it)\b",
    # Pain in the lead's own words; the pains a product solves are in its profile.
    r"\b(?:we|i) (?:keep|kept) (?:running out|losing|missing|having to)\b",
    r"\b(?:drowning|a nightmare|killing (?:us|our)|at (?:its|their|our) limits?|"
    r"falling apart)\b",
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
    r"\blooking for (?:a|an) (?:way|solution|tool|platform|partner|vendor|system|"
    r"replacement)\b",
    r"\b(?:we're|we are) (?:trying|looking) to (?:fix|solve|replace|improve|reduce|"
    r"automate|cut|get rid of)\b",
    r"\bpain point\b",
    r"\b(?:we're|we are) losing\b",
    r"\bcan(?:'t|not) keep up\b",
    r"\b(?:still|all) (?:done |handled )?(?:manually|by hand|in spreadsheets|in excel)\b",
)

NEED_NOT_MET = any_of(
    r"\b(?:we|i) (?:don't|do not) (?:need|have a need)\b",
    r"\b(?:isn't|is not|not) (?:something|anything) (?:we|i) need\b",
    r"\bno need for\b",
    r"\b(?:we're|we are) (?:all )?set\b",
    r"\bhappy with (?:our|the) (?:current|existing)",
    r"\b(?:it|that|our (?:current )?(?:setup|process|system|tool)) works (?:fine|well|"
    r"great)\b",
    r"\bwe already (?:have|use)\b",
    r"\b(?:already )?does (?:everything |all |what )?(?:we need|we want)\b",
    r"\b(?:we|i) (?:don't|do not|dont) (?:have|see|face) (?:that|this|such an?|any such) "
    r"(?:problem|issue|pain|challenge)\b",
    r"\b(?:built|build|building|developed|wrote) (?:our|my) own\b|\bin-?house (?:tool|"
    r"solution|system|script)",
    r"\bour (?:problem|issue|challenge) (?:isn't|is not|'s not)\b",
    # Built it themselves, too small for it, fine as they are.
    r"\b(?:built|developed|wrote|created|coded) (?:\S+ ){0,5}?(?:ourselves|in-?house|internally|"
    r"our own|in python|scripts?|macros?)\b",
    r"\b(?:way )?(?:beyond|more than) what we need\b|\boverkill for us\b|\btoo (?:big|much|"
    r"complex|heavy) for (?:us|a (?:company|business|practice|team) (?:of|like|our))\b",
    r"\bnot worth it for us\b|\bwe(?:'ll| will) be (?:fine|ok|okay|grand)\b",
    r"\b(?:best|great|good|right) (?:decision|choice|move) (?:we|i) (?:ever )?made\b",
    r"\b(?:we|i) (?:don't|do not) (?:hold|have|keep|run) (?:any )?(?:stock|inventory|"
    r"warehouses?|distribution cent(?:re|er)s|vehicles|fleet|invoices)\b",
)

TIMING_MET = any_of(
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
)

TIMING_NOT_MET = any_of(
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
    r"\bnext-?year project\b|\blater (?:in|this) (?:the )?year\b",
    r"\b(?:tied up|busy|swamped|slammed) with\b|\bmid-(?:migration|project|rollout)\b",
)

# Words of pain: with a product problem's keyword in the same sentence, the lead states
# that problem ("we lose a dozen appointments a week", "fuel is eating our margin").
PAIN = any_of(
    r"\b(?:problem\w*|issues?|headaches?|nightmare|pain|struggl\w*|los(?:e|es|ing|t)|wast\w*|"
    r"eat(?:s|ing)? (?:up|into|our)|kill\w*|drown\w*|chas\w*|manual\w*|spreadsheets?|excel|"
    r"constantly|always|worr\w*|concern\w*|complain\w*|fines?|penalt\w*|overtime|bleeding)\b",
    r"\bcost(?:s|ing)? us\b|\bby hand\b|\bkey(?:ed|ing)? (?:in|them in)\b|\bre-?key\w*",
    r"\bevery (?:day|week|month|morning|time)\b|\btoo (?:long|many|much|slow|high|often)\b",
    r"\btakes? (?:us )?(?:\w+ ){0,2}(?:days|weeks|hours)\b|\bcan(?:'t|not) keep up\b",
    r"\bno (?:idea|visibility|way to know|clue)\b|\b(?:don't|do not) know where\b",
    r"\b(?:a|per) (?:week|day|month)\b|\ba dozen\b|\bhalf (?:the|a) (?:day|morning)\b",
    # How much of a harm there is: "a lot of stock-outs", "fuel costs a fortune".
    r"\b(?:a lot of|lots of|so many|so much|a fortune|through the roof|skyrocket\w*|soar\w*|"
    r"keeps? (?:going up|rising|growing)|out of control|biggest (?:cost|expense|headache))\b",
)
