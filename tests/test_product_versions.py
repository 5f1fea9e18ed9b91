"""Admins own the product document: stored, versioned, validated, used by the next step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from app.cli.main import app
from core.conversation import ConversationTurn
from core.findings import EmailCheck, LeadFacts, LeadResearch
from graphs.knowledge.product_catalog import (
    ProductDocumentError,
    parse_document,
    product_faq,
    product_knowledge,
    product_profile,
    shipped_document,
    shipped_products,
    use_stored_products,
)
from graphs.knowledge.product_versions import history, rollback, save_document, show_document
from graphs.reasoning.offline import OfflineEngine

runner = CliRunner()

ACME = """
name: Acme Kilns
sells: Controllers for industrial ceramic kilns.
problems:
  - id: cracking
    summary: Ware cracks during firing
    words: ["cracked ware", "crazing", "firing defects"]
competitors: [KilnMaster]
pricing: From 900 EUR per kiln.
faq:
  - id: pricing
    topics: [price, cost, how much]
    answer: Acme controllers cost 900 EUR per kiln.
"""


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'products.db'}"


@pytest.mark.parametrize("product", shipped_products())
def test_every_shipped_product_reads_as_one_document(product: str) -> None:
    text = shipped_document(product)
    assert text is not None
    knowledge = parse_document(text, product)
    assert knowledge.profile.problems and knowledge.faq.entries
    assert knowledge.version == "shipped"


def test_a_saved_version_is_in_force_where_a_node_reads_the_store(db: str) -> None:
    assert show_document(db, "fleetline").version == "shipped"
    data = yaml.safe_load(show_document(db, "fleetline").text)
    data["name"] = "Fleetline Pro"
    saved = save_document(db, "fleetline", yaml.safe_dump(data), author="ana", note="rename")
    assert (saved.version, saved.in_force) == ("1", True)

    assert product_profile("fleetline").name == "Fleetline"  # no store given: shipped files
    reset = use_stored_products(db)
    try:
        assert product_profile("fleetline").name == "Fleetline Pro"
        assert product_knowledge("fleetline").version == "1"
    finally:
        reset()
    assert [(v.version, v.author, v.note) for v in history(db, "fleetline")] == [
        ("1", "ana", "rename")
    ]


def test_rollback_goes_back_version_by_version_to_the_shipped_files(db: str) -> None:
    base = show_document(db, "ledgerly").text
    save_document(db, "ledgerly", base.replace("name: Ledgerly", "name: L2"), author="a")
    save_document(db, "ledgerly", base.replace("name: Ledgerly", "name: L3"), author="a")
    assert product_knowledge("ledgerly", db).profile.name == "L3"
    assert rollback(db, "ledgerly") == "1"
    assert product_knowledge("ledgerly", db).profile.name == "L2"
    assert rollback(db, "ledgerly") == "shipped"
    assert product_knowledge("ledgerly", db).profile.name == "Ledgerly"
    with pytest.raises(ProductDocumentError, match="nothing to roll back"):
        rollback(db, "ledgerly")
    # Rolled-back texts are kept: a trace can still say what was read.
    assert [v.retired for v in history(db, "ledgerly")] == [True, True]


def test_a_bad_document_names_every_wrong_field_and_stores_nothing(db: str) -> None:
    bad = ACME.replace('words: ["cracked ware", "crazing", "firing defects"]', "words: []")
    bad = bad.replace("answer: Acme controllers cost 900 EUR per kiln.", "")
    with pytest.raises(ProductDocumentError) as raised:
        save_document(db, "acme", bad, author="a")
    message = str(raised.value)
    assert "problems.0.words" in message and "faq.0.answer" in message
    assert history(db, "acme") == []
    with pytest.raises(ProductDocumentError, match="'faq' must list"):
        save_document(db, "acme", ACME.split("faq:")[0], author="a")


def test_a_new_product_is_read_by_its_own_profile_and_faq(db: str) -> None:
    with pytest.raises(ValueError, match="no product 'acme'"):
        product_knowledge("acme", db)
    save_document(db, "acme", ACME, author="admin")
    engine = OfflineEngine("acme")
    reset = use_stored_products(db)
    try:
        assert product_faq("acme").answer_for("How much does it cost?") is not None
        turn = ConversationTurn(
            direction="inbound",
            at=datetime(2026, 3, 2, 9, tzinfo=UTC),
            subject="Re: kilns",
            message_id="<r1@terracotta.example>",
            body="We keep getting cracked ware in every second firing. What would it cost?",
        )
        reading = engine.read_reply(turn.body, [turn], _research())
    finally:
        reset()
    assert reading.bant.need.verdict.value == "met"
    assert "cracked ware" in (reading.bant.need.evidence or "")


def _research() -> LeadResearch:
    return LeadResearch(
        lead=LeadFacts(
            lead_id="LEAD-1",
            full_name="Ines Ortiz",
            job_title="Plant manager",
            company_name="Terracotta Works",
            topic="Kiln control",
        ),
        email_check=EmailCheck(email=None, is_valid=False, validity_reason="No email."),
    )


def test_cli_show_set_history_rollback(tmp_path: Path) -> None:
    shown = runner.invoke(app, ["product", "show", "clinicflow"])
    assert shown.exit_code == 0 and "faq:" in shown.stdout
    edited = tmp_path / "clinicflow.yaml"
    edited.write_text(shown.stdout.replace("name: Clinicflow", "name: Clinicflow EU"))
    saved = runner.invoke(app, ["product", "set", str(edited), "--product", "clinicflow"])
    assert saved.exit_code == 0, saved.output
    listing = runner.invoke(app, ["product", "list"]).stdout
    assert "Clinicflow EU" in listing and "northwind *" in listing
    assert "in force" in runner.invoke(app, ["product", "history", "clinicflow"]).stdout
    assert "shipped" in runner.invoke(app, ["product", "rollback", "clinicflow"]).stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [\n")
    failed = runner.invoke(app, ["product", "set", str(broken), "--product", "clinicflow"])
    assert failed.exit_code == 1 and "not YAML" in failed.output
