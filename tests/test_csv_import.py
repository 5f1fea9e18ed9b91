"""CSV import: good rows stored, bad rows reported by row and column, nothing overwritten."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from core.clock import as_utc
from core.time_zones import TimeZoneSource
from store.crm import Account, Lead, LeadRating, LeadStatus, SecurityRole, User
from store.db import get_db_engine
from store.imports import CsvImportError, ImportReport, import_csv

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    with Session(get_db_engine(f"sqlite:///{tmp_path}/crm.db"), expire_on_commit=False) as s:
        s.add(User(id="USR-01", full_name="Megan Clarke", email="m@x.com",
                   security_role=SecurityRole.SELLER))  # fmt: skip
        s.add(Account(id="ACC-001", name="Brightwater Logistics Ltd", domain="bw.co.uk"))
        s.flush()  # no relationships are declared, so parents are flushed first by hand
        s.add(Lead(id="LEAD-0001", topic="Original topic", email="keep@bw.co.uk"))
        s.add(Lead(id="LEAD-0007", topic="Another", owner_id="USR-01"))
        s.commit()
        yield s


def _write(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _errors(report: ImportReport) -> set[tuple[int, str]]:
    return {(e.row, e.field) for e in report.errors}


def test_good_rows_are_stored_and_bad_rows_reported(session: Session, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Topic,First Name,Last Name,Email,Rating,Status,Created On,Owner,Parent Account ID,"
        "Lead Source,Favourite Colour\n"
        "Demo request,Anna,Schmidt,  anna.schmidt@bw.co.uk ,Hot,Qualified,2026-03-01,USR-01,"
        "ACC-001,Web,blue\n"  # row 2: good
        "Pricing,Bo,Li,bo@@example.com,lukewarm,,,USR-42,,,\n"  # row 3: bad rating and owner
        ",No,Topic,x@y.com,Select,,,,,,\n"  # row 4: good: no topic, a placeholder rating
        "Trial,Cy,Ng,cy@z.com,,,14/03/2026,,,,\n"  # row 5: bad date
        "Trial,Di,Ox,di@z.com,,,,USR-99,ACC-404,,\n"  # row 6: unknown owner and account
        "\n"  # row 7: blank, skipped silently
        "Webinar,Ed,Po,,cold,new,2026-03-02T10:15:00+02:00,,,,\n",  # row 8: good
    )
    report = import_csv("leads", session, path, now=NOW)

    assert (report.imported, report.skipped) == (3, 3)
    assert _errors(report) == {
        (3, "Rating"),
        (3, "Owner"),  # every problem of a row at once
        (5, "Created On"),
        (6, "Owner"),
        (6, "Parent Account ID"),
    }
    by_field = {(e.row, e.field): e.message for e in report.errors}
    assert "lukewarm" in by_field[(3, "Rating")] and "hot, warm, cold" in by_field[(3, "Rating")]
    assert "ISO date" in by_field[(5, "Created On")]
    assert "USR-99" in by_field[(6, "Owner")]
    assert report.warnings == [report.warnings[0]] and "Favourite Colour" in report.warnings[0]

    # New ids continue after the highest stored one.
    assert report.imported_ids == ["LEAD-0008", "LEAD-0009", "LEAD-0010"]
    untitled = session.get(Lead, "LEAD-0009")
    assert untitled is not None and untitled.topic == "Imported lead"
    assert untitled.rating is LeadRating.WARM  # "Select" is no rating
    anna = session.get(Lead, "LEAD-0008")
    assert anna is not None
    assert anna.email == "anna.schmidt@bw.co.uk"
    assert (anna.rating, anna.status, anna.owner_id) == (
        LeadRating.HOT,
        LeadStatus.QUALIFIED,
        "USR-01",
    )
    assert anna.parent_account_id == "ACC-001" and anna.connected_by == "crm"
    assert as_utc(anna.created_on) == datetime(2026, 3, 1, tzinfo=UTC)
    assert anna.source == "Web"
    ed = session.get(Lead, "LEAD-0010")
    assert ed is not None and ed.email is None
    assert (ed.status, ed.status_reason) == (LeadStatus.OPEN, "New")
    assert as_utc(ed.created_on) == datetime(2026, 3, 2, 8, 15, tzinfo=UTC)


def test_defaults_for_optional_fields(session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, "topic\nJust a topic\n")
    report = import_csv("leads", session, path, now=NOW)
    lead = session.get(Lead, report.imported_ids[0])
    assert lead is not None
    assert (lead.rating, lead.status) == (LeadRating.WARM, LeadStatus.OPEN)
    assert as_utc(lead.created_on) == NOW
    assert report.warnings == []


def test_a_re_import_updates_the_stored_lead_and_never_duplicates(
    session: Session, tmp_path: Path
) -> None:
    stored = session.get(Lead, "LEAD-0001")
    assert stored is not None
    stored.do_not_email = True  # opted out since the last import
    session.add(stored)
    session.commit()
    path = _write(
        tmp_path,
        "id,topic,email,city,do_not_email\n"
        "LEAD-0001,Replaced topic,,Leeds,false\n"  # row 2: same id: an update
        "LEAD-0100,New one,a@b.com,,\n"  # row 3: good
        "LEAD-0100,Same id again,c@d.com,,\n"  # row 4: duplicate within the file
        ",Generated id,e@f.com,,\n"  # row 5: good, id after the file's highest
        ",Found by email,KEEP@bw.co.uk,York,\n",  # row 6: LEAD-0001 again, by its email
    )
    report = import_csv("leads", session, path, now=NOW)

    assert _errors(report) == {(4, "id"), (6, "id")}
    messages = {e.row: e.message for e in report.errors}
    assert "row 3" in messages[4] and "row 2 already updates LEAD-0001" in messages[6]
    assert report.imported_ids == ["LEAD-0100", "LEAD-0101"]
    assert report.updated_ids == ["LEAD-0001"]
    updated = session.get(Lead, "LEAD-0001")
    assert updated is not None
    assert (updated.topic, updated.city) == ("Replaced topic", "Leeds")
    assert updated.email == "keep@bw.co.uk"  # an empty cell never blanks a stored value
    assert updated.do_not_email is True  # and a re-import never lifts an opt-out
    assert session.exec(select(func.count()).select_from(Lead)).one() == 4


def test_a_re_import_of_the_same_export_changes_nothing_twice(
    session: Session, tmp_path: Path
) -> None:
    export = _write(tmp_path, "Topic,Email,Company\nDemo,ola@acme.example,Acme\n")
    first = import_csv("leads", session, export, now=NOW)
    second = import_csv("leads", session, export, now=NOW)
    assert (first.imported, second.imported, second.updated) == (1, 0, 1)
    assert second.updated_ids == first.imported_ids


def test_accounts_import_numbers_domains_and_errors(session: Session, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Account Name;Website;Industry;NumberOfEmployees;AnnualRevenue;Country;id\n"
        "Falkenberg Logistik GmbH;https://www.falkenberg-logistik.de/about;Logistics;"
        "1,250;$240,000,000;Germany;\n"  # row 2: good, semicolons as exported in Germany
        ";https://nameless.com;Retail;10;1000000;France;\n"  # row 3: name missing
        "Many People Inc;;Retail;many;2.5M;USA;\n"  # row 4: employees not a number
        "Half Person Ltd;;Retail;12.5;1000;UK;\n"  # row 5: not a whole number
        "Brightwater Logistics;;Logistics;640;;UK;\n"  # row 6: ACC-001 by name: an update
        "Small Shop;;Retail;8;450k;Ireland;\n"  # row 7: good
        "Rheinwerk AG;;Maschinenbau;1.000-5.000;1,2 Mrd. €;DE;\n"  # row 8: CRM wording
        "Thames Foods plc;;Food;about 2,000;£800m;UK;\n",  # row 9: pounds, not dollars
        name="accounts.csv",
    )
    report = import_csv("accounts", session, path)

    assert _errors(report) == {
        (3, "Account Name"),
        (4, "NumberOfEmployees"),
        (5, "NumberOfEmployees"),
    }
    assert report.imported_ids == ["ACC-002", "ACC-003", "ACC-004", "ACC-005"]
    assert report.updated_ids == ["ACC-001"]  # "Brightwater Logistics Ltd", legal form aside
    rheinwerk = session.get(Account, "ACC-004")
    assert rheinwerk is not None and rheinwerk.number_of_employees is None
    assert (rheinwerk.employees_as_given, rheinwerk.revenue_as_given) == (
        "1.000-5.000",
        "1,2 Mrd. €",
    )
    assert rheinwerk.annual_revenue is not None and rheinwerk.annual_revenue > 1.2e9
    thames = session.get(Account, "ACC-005")
    assert thames is not None and thames.employees_as_given == "about 2,000"
    assert thames.annual_revenue is not None and thames.annual_revenue > 800e6
    falkenberg = session.get(Account, "ACC-002")
    assert falkenberg is not None
    assert falkenberg.domain == "falkenberg-logistik.de"
    assert (falkenberg.number_of_employees, falkenberg.annual_revenue) == (1250, 240_000_000.0)
    shop = session.get(Account, "ACC-003")
    assert shop is not None and shop.annual_revenue == 450_000.0 and shop.domain is None
    original = session.get(Account, "ACC-001")
    assert original is not None and original.name == "Brightwater Logistics"  # as re-exported
    assert original.number_of_employees == 640


def test_quoted_values_keep_spreadsheet_row_numbers(session: Session, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'topic,company_name,rating\n"Line one\nline two","Acme, Inc.",warm\nOops,Acme,boiling\n'
        "Too many,Acme,warm,extra\n",
    )
    report = import_csv("leads", session, path, now=NOW)
    assert report.imported == 1
    assert _errors(report) == {(3, "rating"), (4, "(row)")}
    lead = session.get(Lead, report.imported_ids[0])
    assert lead is not None and lead.company_name == "Acme, Inc."


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "no header"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not"),
        (b"hello world\nthis is prose\n", "no known column"),
        (b"topic,Topic\nA,B\n", "both mean 'topic'"),
    ],
)
def test_files_that_cannot_be_imported_raise(
    session: Session, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    with pytest.raises(CsvImportError, match=expected) as caught:
        import_csv("leads", session, path, now=NOW)
    assert str(path) in str(caught.value)
    assert session.exec(select(func.count()).select_from(Lead)).one() == 2


def test_missing_file_names_the_path(session: Session, tmp_path: Path) -> None:
    with pytest.raises(CsvImportError, match="no such file"):
        import_csv("accounts", session, tmp_path / "nope.csv")


def test_a_home_made_before_new_account_columns_still_opens(tmp_path: Path) -> None:
    import sqlite3

    from store.db import get_db_engine

    database = tmp_path / "old.db"
    with sqlite3.connect(database) as old:  # the account table as an earlier release made it
        old.execute(
            "CREATE TABLE account (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, domain VARCHAR,"
            " industry VARCHAR, number_of_employees INTEGER, annual_revenue FLOAT,"
            " country VARCHAR, city VARCHAR, website VARCHAR, description VARCHAR,"
            " owner_id VARCHAR, created_on DATETIME NOT NULL)"
        )
        old.execute(
            "INSERT INTO account (id, name, created_on) VALUES ('ACC-001', 'Old Co', "
            "'2026-01-01 00:00:00')"
        )
    with Session(get_db_engine(f"sqlite:///{database}")) as session:
        account = session.get(Account, "ACC-001")
        assert account is not None and account.name == "Old Co"
        assert account.employees_as_given is None and account.currency is None


def test_a_currency_column_gives_bare_revenues_their_currency(
    session: Session, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "name,annual_revenue,currency\n"
        "Nordkran AB,150000000,SEK - Swedish Krona\n"  # row 2: Dynamics' code-and-name form
        "Bad Currency Ltd,1000,Doubloons\n",  # row 3: no such currency
        name="accounts.csv",
    )
    report = import_csv("accounts", session, path)
    assert _errors(report) == {(3, "currency")}
    assert "ISO 4217" in report.errors[0].message
    nordkran = session.get(Account, report.imported_ids[0])
    assert nordkran is not None and nordkran.currency == "SEK"
    assert nordkran.revenue_as_given == "150000000"
    assert nordkran.annual_revenue is not None and nordkran.annual_revenue < 20e6  # in USD


@pytest.mark.parametrize(
    ("dialect", "export"),
    [
        (
            "Dynamics 365",
            "Topic,First Name,Email,Do Not Email\n"
            "Demo,Ola,o@a.com,Do Not Allow\nDemo,Kim,k@a.com,Allow\n",
        ),
        (
            "Salesforce",
            "First Name,Last Name,Company,Email,Email Opt Out\n"
            "Ola,Berg,Acme,o@a.com,1\nKim,Lund,Acme,k@a.com,0\n",
        ),
        (
            "HubSpot",
            "First Name,Email,Company Name,Unsubscribed from all email\n"
            "Ola,o@a.com,Acme,true\nKim,k@a.com,Acme,false\n",
        ),
    ],
)
def test_opt_outs_from_each_crm_dialect_are_kept(
    session: Session, tmp_path: Path, dialect: str, export: str
) -> None:
    report = import_csv("leads", session, _write(tmp_path, export), now=NOW)
    assert report.imported == 2 and not report.errors, (dialect, report.errors)
    opted, kept = (session.get(Lead, i) for i in report.imported_ids)
    assert opted is not None and opted.do_not_email is True
    assert kept is not None and kept.do_not_email is False


def test_an_unreadable_opt_out_is_an_error_not_a_yes(session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, "Topic,Email,Do Not Email\nDemo,o@a.com,perhaps\n")
    report = import_csv("leads", session, path, now=NOW)
    assert _errors(report) == {(2, "Do Not Email")}
    assert "Yes/No" in report.errors[0].message


@pytest.mark.parametrize(
    ("dialect", "export", "zones"),
    [
        (
            "Dynamics 365",
            "Topic,Email,Address 1: City,Address 1: Country/Region,Address 1: UTC Offset\n"
            "Demo,a@a.com,Chicago,United States,(GMT-06:00) Central Time (US & Canada)\n"
            'Demo,b@a.com,Pune,India,"(GMT+05:30) Chennai, Kolkata, Mumbai, New Delhi"\n',
            ["America/Chicago", "Asia/Kolkata"],
        ),
        (
            "Salesforce",
            "FirstName,LastName,Email,City,Country,Time_Zone__c\n"
            "Ana,Lima,a@a.com,,,America/Sao_Paulo\n"
            "Bo,Berg,b@a.com,,,W. Europe Standard Time\n",
            ["America/Sao_Paulo", "Europe/Berlin"],
        ),
        (
            "HubSpot",
            "First Name,Email,City,Country/Region,Time Zone\n"
            "Cy,a@a.com,,,america_slash_new_york\n"
            "Di,b@a.com,,,UTC+05:30\n",
            ["America/New_York", "UTC+05:30"],
        ),
    ],
)
def test_a_time_zone_column_from_each_crm_is_read(
    session: Session, tmp_path: Path, dialect: str, export: str, zones: list[str]
) -> None:
    report = import_csv("leads", session, _write(tmp_path, export), now=NOW)
    assert report.imported == 2 and not report.errors and not report.warnings, dialect
    assert "time_zone" in report.columns.values(), dialect
    leads = [session.get(Lead, i) for i in report.imported_ids]
    found = [(lead.time_zone, lead.time_zone_source) for lead in leads if lead is not None]
    assert found == [(zone, TimeZoneSource.CRM) for zone in zones], dialect


def test_without_a_time_zone_column_the_address_gives_the_zone(
    session: Session, tmp_path: Path
) -> None:
    account = session.get(Account, "ACC-001")
    assert account is not None
    account.city, account.country = "Leeds", "United Kingdom"
    session.add(account)
    session.commit()
    path = _write(
        tmp_path,
        "Topic,Email,City,Country,Parent Account ID\n"
        "Demo,a@a.com,Denver,USA,\n"  # a country on several clocks: the city says
        "Demo,b@a.com,,Deutschland,\n"  # a country on one clock
        "Demo,c@a.com,Springfield,US,\n"  # several Springfields: uncertain
        "Demo,d@a.com,,,ACC-001\n"  # nothing on the lead: its account's address
        "Demo,e@a.com,,United States,\n",  # nothing settles it
    )
    report = import_csv("leads", session, path, now=NOW)
    assert report.imported == 5 and not report.errors and not report.warnings
    found = []
    for lead_id in report.imported_ids:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        found.append((lead.time_zone, lead.time_zone_source, lead.time_zone_certain))
    assert found == [
        ("America/Denver", TimeZoneSource.CITY, True),
        ("Europe/Berlin", TimeZoneSource.COUNTRY, True),
        ("America/Chicago", TimeZoneSource.CITY, False),
        ("Europe/London", TimeZoneSource.ACCOUNT, True),
        (None, None, True),
    ]


def test_an_unreadable_time_zone_is_reported_and_the_lead_kept(
    session: Session, tmp_path: Path
) -> None:
    path = _write(
        tmp_path,
        "Topic,Email,City,Country,Time Zone\n"
        "Demo,a@a.com,Toronto,Canada,Eastern-ish\n"
        "Demo,b@a.com,Paris,France,Europe/Paris\n"
        "Demo,c@a.com,,,Mars/Olympus\n",
    )
    report = import_csv("leads", session, path, now=NOW)
    assert report.imported == 3 and not report.errors and report.skipped == 0
    toronto, paris, mars = (session.get(Lead, i) for i in report.imported_ids)
    assert toronto is not None and paris is not None and mars is not None
    assert (toronto.time_zone, toronto.time_zone_source) == ("America/Toronto", "city")
    assert (paris.time_zone, paris.time_zone_source) == ("Europe/Paris", "crm")
    assert (mars.time_zone, mars.time_zone_source) == (None, None)
    [eastern] = [w for w in report.warnings if "'Eastern-ish'" in w]
    assert eastern.startswith("Time Zone 'Eastern-ish' names no time zone")
    assert "IANA name (Europe/Berlin)" in eastern and eastern.endswith("(1 row: row 2)")
    assert any("'Mars/Olympus'" in w and w.endswith("(1 row: row 4)") for w in report.warnings)


def test_a_re_import_replaces_a_zone_only_with_the_crm_s(session: Session, tmp_path: Path) -> None:
    kept = session.get(Lead, "LEAD-0001")
    assert kept is not None
    kept.time_zone = "Europe/Dublin"  # a person set it: no source
    session.add(kept)
    session.commit()
    path = _write(
        tmp_path,
        "id,email,city,country,time zone\n"
        "LEAD-0001,keep@bw.co.uk,Chicago,US,\n"  # no zone in the file: the person's stays
        "LEAD-0007,,,,GMT-5\n",
    )
    report = import_csv("leads", session, path, now=NOW)
    assert report.updated == 2 and not report.errors, report.errors
    session.expire_all()
    kept, replaced = session.get(Lead, "LEAD-0001"), session.get(Lead, "LEAD-0007")
    assert kept is not None and replaced is not None
    assert (kept.city, kept.time_zone, kept.time_zone_source) == ("Chicago", "Europe/Dublin", None)
    assert (replaced.time_zone, replaced.time_zone_source) == ("UTC-05:00", TimeZoneSource.CRM)
