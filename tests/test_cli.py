"""The `qualify` command line, end to end on a small sample CRM."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app

runner = CliRunner()


def _run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, f"qualify {' '.join(args)}:\n{result.output}"
    return result.output


def test_init_research_show_draft_connect(tmp_path: Path) -> None:
    out = _run("init", "--leads", "80", "--accounts", "20")
    assert "Sample CRM created" in out
    assert "already has" in _run("init")

    listing = _run("leads")
    first = next(word for word in listing.split() if word.startswith("LEAD-"))
    assert "leads left out" in listing and "selection.max_age_days" in listing
    people = _run("users")
    assert "Leads owned" in people and "USR-01" in people and "seller" in people

    out = _run("research", first)
    assert "Research of 1 leads" in out
    page = _run("show", first)
    assert "Key insights" in page and "Email validation" in page and "About account" in page
    assert "Subject" in _run("draft", first)

    assert "fresh" in _run("research", first)  # fresh research is kept...
    accounts_out = _run("connect", first, "--account", "ACC-001")
    # ...and a seller's change is researched at once: the page shows the new account.
    assert "account ACC-001" in accounts_out and "researched again" in accounts_out
    assert "ACC-001" in _run("show", first)
    assert "fresh" in _run("research", first)


def test_seller_email_override_wins(tmp_path: Path) -> None:
    _run("init", "--leads", "60", "--accounts", "20")
    first = next(word for word in _run("leads").split() if word.startswith("LEAD-"))
    _run("research", first)
    # Corrections show on the page at once, without a research run.
    assert "personal" in _run("email", first, "--set", "pat.lee@gmail.com")
    page = _run("show", first)
    assert "pat.lee@gmail.com" in page and "personal" in page
    _run("email", first, "--type", "work")
    page = _run("show", first)
    assert "pat.lee@gmail.com" in page and "overridden by seller" in page
    _run("research", first)
    assert "overridden by seller" in _run("show", first)  # and research keeps it


def test_corrections_that_would_make_a_lead_wrong_are_refused() -> None:
    from sqlmodel import Session, select

    from core.settings import get_settings
    from store.crm import Contact, Lead
    from store.db import get_db_engine

    _run("init", "--leads", "60", "--accounts", "20")
    first = next(word for word in _run("leads").split() if word.startswith("LEAD-"))
    _run("research", first)
    bad = runner.invoke(app, ["email", first, "--set", "not an email"])
    assert bad.exit_code == 1 and "nothing changed" in bad.output
    with Session(get_db_engine(get_settings().resolved_database_url)) as session:
        lead = session.get(Lead, first)
        assert lead is not None and lead.email != "not an email"
        contacts = session.exec(select(Contact).where(Contact.account_id.is_not(None))).all()  # type: ignore[union-attr]
    elsewhere = next(c for c in contacts if c.account_id != "ACC-002")
    _run("connect", first, "--account", "ACC-002")
    mismatched = runner.invoke(app, ["connect", first, "--contact", elsewhere.id])
    assert mismatched.exit_code == 1
    assert "works at" in mismatched.output and elsewhere.account_id in mismatched.output
    with Session(get_db_engine(get_settings().resolved_database_url)) as session:
        lead = session.get(Lead, first)
    assert lead is not None and lead.parent_contact_id != elsewhere.id
    assert lead.parent_account_id == "ACC-002"


def test_unknown_lead_is_a_clear_error() -> None:
    _run("init", "--leads", "60", "--accounts", "20")
    result = runner.invoke(app, ["show", "LEAD-9999"])
    assert result.exit_code == 1
    assert "LEAD-9999" in result.output


def test_bad_icp_file_changes_nothing(tmp_path: Path) -> None:
    _run("init", "--leads", "60", "--accounts", "20")
    before = _run("icp", "show")
    bad = tmp_path / "icp.yaml"
    bad.write_text("criteria:\n  - kind: employees\n    min: -5\n", encoding="utf-8")
    result = runner.invoke(app, ["icp", "set", str(bad)])
    assert result.exit_code == 1
    assert "icp.yaml" in result.output and "min" in result.output
    assert _run("icp", "show") == before

    good = tmp_path / "good.yaml"
    good.write_text(
        "name: Big companies\ncriteria:\n  - kind: employees\n    min: 5000\n", encoding="utf-8"
    )
    _run("icp", "set", str(good))
    assert "Big companies" in _run("icp", "show")


def test_csv_import_reports_bad_rows(tmp_path: Path) -> None:
    _run("init", "--leads", "60", "--accounts", "20")
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(
        "topic,first_name,last_name,email,rating,company_name\n"
        "Pricing question,Ana,Ruiz,ana@example.com,warm,Example Co\n"
        "Demo,Bo,Li,bo@example.com,lukewarm,Example Co\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", "leads", str(csv_file)])
    assert result.exit_code == 1  # rows were left behind: scripts must notice
    assert "Imported 1 rows, updated 0, skipped 1" in result.output
    assert "row 3" in result.output and "rating" in result.output

    many = tmp_path / "many.csv"
    many.write_text(
        "topic,email,rating\n" + "".join(f"T{i},t{i}@example.com,tepid\n" for i in range(25)),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", "leads", str(many)])
    assert result.exit_code == 1 and "and 5 more; all 25 in" in result.output
    written = result.output.split("all 25 in ")[1].split()[0]
    assert len(Path(written).read_text(encoding="utf-8").splitlines()) == 25


def test_import_dry_run_and_column_mapping(tmp_path: Path) -> None:
    _run("init", "--leads", "60", "--accounts", "20")
    before = _run("leads")
    export = tmp_path / "hubspot.csv"
    export.write_text(
        "First Name,Email,Organisation,Unsubscribed from all email\n"
        "Ola,ola@acme.example,Acme,true\n",
        encoding="utf-8",
    )
    out = _run("import", "leads", str(export), "--dry-run", "--map", "company_name=Organisation")
    assert "Dry run: nothing was written" in out
    assert (
        "Organisation -> company_name" in out
        and "Unsubscribed from all email -> do_not_email" in out
    )
    assert "Would import 1 rows" in out
    assert _run("leads") == before  # nothing written
    bad = runner.invoke(app, ["import", "leads", str(export), "--map", "colour=Organisation"])
    assert bad.exit_code == 1 and "unknown fields colour" in bad.output
    help_text = runner.invoke(app, ["import", "leads", "--help"]).output
    assert "do_not_email" in help_text and "hasoptedoutofemail" in help_text.lower()


def test_a_seller_edits_and_sends_the_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlmodel import Session, select

    from core.settings import get_settings
    from store.db import get_db_engine
    from store.engagement import Conversation, EmailMessage

    _run("init", "--leads", "80", "--accounts", "20")
    lead = next(w for w in _run("leads").split() if w.startswith("LEAD-"))
    _run("research", lead)
    _run("draft", lead)
    # The seller's editor plants a link no check allows: the send is refused.
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\np = sys.argv[1]\nt = open(p).read()\n"
        "link = 'Log in at http://evil.example/x. Clients saved 37 % in a year.\\n\\n'\n"
        "open(p, 'w').write(t.replace('Best regards', link + 'Best regards'))\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    assert "evil.example" in _run("draft", lead, "--edit")
    refused = runner.invoke(app, ["send", lead])
    assert refused.exit_code == 1 and "content check" in refused.output
    assert "evil.example" in refused.output and "⟦37 %⟧" in refused.output  # both marked
    # A plain edit goes through the outbox, and Engage leaves the lead to the seller.
    editor.write_text(
        "import sys\np = sys.argv[1]\nt = open(p).read()\n"
        "t = t.split('Log in at')[0] + 'Best regards' + t.split('Best regards', 1)[1]\n"
        "open(p, 'w').write(t.replace('Hi ', 'Hello ', 1))\n",
        encoding="utf-8",
    )
    assert "Hello " in _run("draft", lead, "--edit")
    out = _run("send", lead, "--by", "USR-01")
    assert "Sent by USR-01" in out and "1 sent" in out
    with Session(get_db_engine(get_settings().resolved_database_url)) as session:
        conversation = session.get(Conversation, lead)
        [sent] = session.exec(select(EmailMessage).where(EmailMessage.lead_id == lead)).all()
    assert conversation is not None and conversation.taken_over_by == "USR-01"
    assert sent.status == "sent" and sent.body.startswith("Hello ")
    assert list(get_settings().resolved_outbox_dir.rglob("*.eml"))


def test_index_says_what_it_did_in_words() -> None:
    _run("init", "--leads", "20", "--accounts", "5")
    out = _run("index")
    assert "Indexed the web corpus" in out and "unchanged" in out and "SyncReport" not in out


def test_a_seller_lists_their_leads_by_recommendation() -> None:
    from sqlmodel import Session, select

    from core.settings import get_settings
    from store.agent_records import LeadInsight
    from store.crm import Lead, User
    from store.db import get_db_engine

    _run("init", "--leads", "80", "--accounts", "20")
    first_page = [w for w in _run("leads", "--limit", "12").split() if w.startswith("LEAD-")]
    _run("research", *first_page)
    url = get_settings().resolved_database_url
    with Session(get_db_engine(url)) as session:
        fits = {row.lead_id: row.fit_level for row in session.exec(select(LeadInsight))}
        owner = session.get(User, session.get(Lead, first_page[0]).owner_id)  # type: ignore[union-attr]
    assert owner is not None and set(fits) == set(first_page)

    def listed(*args: str) -> set[str]:
        out = _run("leads", "--limit", "200", *args)
        return {word for word in out.split() if word.startswith("LEAD-")}

    now = listed("--recommendation", "engage-now")
    assert now == {lead for lead, fit in fits.items() if fit == "exact"}
    later_or_not = listed("--recommendation", "engage-later", "--recommendation", "none")
    assert later_or_not == {lead for lead, fit in fits.items() if fit in ("close", "none")}
    never = listed("--recommendation", "unresearched")
    assert never and not never & set(fits)
    mine = listed("--owner", owner.full_name)  # a name works where an id does
    assert mine and mine == listed("--owner", owner.id)
    table = _run("leads", "--limit", "12")
    assert "Recommendation" in table and "Rating" in table
    bad = runner.invoke(app, ["leads", "--recommendation", "maybe"])
    assert bad.exit_code == 1 and "engage-now" in bad.output
