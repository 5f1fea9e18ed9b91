"""Knowledge sources: documents split into passages with their headings, indexed per product,
the "answered well enough" rule, and `qualify knowledge add|list|search|remove`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from graphs.knowledge.source_answers import (
    KnowledgeSettings,
    answer_questions,
    best_passage,
    quote_for,
)
from tests.pdf_documents import write_pdf
from tools.knowledge_base.index import KnowledgeBase
from tools.knowledge_base.passages import DocumentError, read_document
from tools.knowledge_base.sources import KnowledgeHit

DOCS = Path(__file__).parent / "data" / "knowledge"
runner = CliRunner()


def _pdf(folder: Path) -> Path:
    return write_pdf(
        folder / "security.pdf",
        [
            [
                ("Security overview", 20),
                ("Encryption", 14),
                ("All data is encrypted at rest with AES-256", 10),
                ("and in transit with TLS 1.3.", 10),
                ("", 0),
                ("Access", 14),
                ("Single sign-on with SAML is included on every plan.", 10),
            ],
            [
                ("Audits", 14),
                ("An external auditor reviews our controls every year (SOC 2 Type II).", 10),
            ],
        ],
        title="Fleetline security overview",
    )


def _citations(path: Path) -> dict[str, str]:
    return {p.citation: p.text for p in read_document(path)}


def test_markdown_is_split_by_heading_path() -> None:
    passages = _citations(DOCS / "northwind_onboarding.md")
    history = passages["Northwind onboarding guide › Data we need › History"]
    assert history.startswith("We need at least 18 months of daily sales history")
    assert "Master data" not in history  # the next section is its own passage
    assert "Northwind onboarding guide › Sandbox" in passages


def test_html_drops_markup_scripts_and_navigation() -> None:
    passages = _citations(DOCS / "clinicflow_case_study.html")
    assert set(passages) == {
        "Case study: Harbour Physio",
        "Case study: Harbour Physio › Results",
        "Case study: Harbour Physio › Waiting list",
    }
    text = " ".join(passages.values())
    assert "14% to 5%" in passages["Case study: Harbour Physio › Results"]
    assert "ignore me" not in text and "Home" not in text and "©" not in text


def test_pdf_headings_come_from_the_larger_font(tmp_path: Path) -> None:
    passages = _citations(_pdf(tmp_path))
    assert passages == {
        "Fleetline security overview › Security overview › Encryption": (
            "All data is encrypted at rest with AES-256 and in transit with TLS 1.3."
        ),
        "Fleetline security overview › Security overview › Access": (
            "Single sign-on with SAML is included on every plan."
        ),
        "Fleetline security overview › Security overview › Audits": (
            "An external auditor reviews our controls every year (SOC 2 Type II)."
        ),
    }


def test_text_headings_and_a_long_section_cut_at_sentences(tmp_path: Path) -> None:
    long = " ".join(f"Sentence number {n} says something useful here." for n in range(60))
    path = tmp_path / "guide.txt"
    path.write_text(f"Rollout plan\n\n{long}\n", encoding="utf-8")
    passages = read_document(path)
    assert len(passages) > 1
    assert all(p.headings == ["Rollout plan"] for p in passages)
    assert all(p.text.endswith(".") and len(p.text.split()) <= 180 for p in passages)


def test_unreadable_documents_name_the_file_and_the_fix(tmp_path: Path) -> None:
    docx = tmp_path / "brochure.docx"
    docx.write_bytes(b"PK")
    with pytest.raises(DocumentError, match=r"brochure.docx: cannot read .docx; add Markdown"):
        read_document(docx)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    with pytest.raises(DocumentError, match=r"broken\.pdf: not a readable PDF"):
        read_document(broken)


def _hit(score: float, text: str, title: str = "Guide") -> KnowledgeHit:
    return KnowledgeHit(source_id="g", kind="document", title=title, text=text, score=score)


def test_a_passage_answers_only_above_the_threshold_and_naming_what_is_asked() -> None:
    sap = _hit(0.6, "We integrate with SAP and Oracle through certified connectors.")
    assert best_passage("Do you integrate with SAP?", [sap], min_score=0.3) is sap
    assert best_passage("Do you integrate with SAP?", [sap], min_score=0.7) is None
    # Close in words, but it does not speak of Xero: the seller answers.
    assert best_passage("Do you integrate with Xero?", [sap], min_score=0.3) is None
    weaker = _hit(0.4, "Xero and QuickBooks connect in a few clicks.")
    assert best_passage("Do you integrate with Xero?", [sap, weaker], min_score=0.3) is weaker


def test_the_quote_is_the_sentence_that_answers() -> None:
    text = (
        "Harbour Physio runs four clinics. No-show appointments fell from 14% to 5% within "
        "three months. The front desk saves 9 hours a week."
    )
    assert quote_for("How much did no-show appointments fall?", text, 45) == (
        "No-show appointments fell from 14% to 5% within three months."
    )


@pytest.fixture
def three_products(tmp_path: Path) -> KnowledgeBase:
    """Documents of three unlike products: demand planning, clinic scheduling, telematics."""
    base = KnowledgeBase(tmp_path / "chroma")
    base.add_file(DOCS / "northwind_onboarding.md", "northwind")
    base.add_file(DOCS / "clinicflow_case_study.html", "clinicflow", "case_study")
    base.add_file(DOCS / "fleetline_hardware.txt", "fleetline")
    base.add_file(_pdf(tmp_path), "fleetline")
    return base


# Questions each product's FAQ leaves open: those its documents answer (with the section that
# does) and those nothing answers. The default min_score was chosen on this table.
ANSWERED = [
    ("northwind", "How many months of sales history do you need?", "History"),
    ("fleetline", "Is our data encrypted at rest?", "Encryption"),
    ("fleetline", "Do you have SOC 2?", "Audits"),
    ("clinicflow", "Can the waiting list fill a cancelled slot?", "Waiting list"),
]
LEFT_OPEN = [
    ("northwind", "What is your parental leave policy?"),
    ("northwind", "Do you have an office in Chicago?"),
    ("northwind", "Who founded the company?"),
    ("clinicflow", "Can patients pay their invoices online?"),
    ("clinicflow", "Can we print prescriptions?"),
    ("fleetline", "Do you sell dash cams?"),
    ("fleetline", "Can you track shipping containers at sea?"),
]


def test_the_default_threshold_answers_from_documents_and_leaves_the_rest(
    three_products: KnowledgeBase,
) -> None:
    settings = KnowledgeSettings()
    for product, question, section in ANSWERED:
        answers = answer_questions([question], product, three_products, settings)
        assert not answers.from_faq and not answers.unanswered, (product, question)
        [sourced] = answers.from_sources
        assert sourced.hit.headings[-1] == section, (question, sourced.hit.citation)
    for product, question in LEFT_OPEN:
        answers = answer_questions([question], product, three_products, settings)
        assert answers.unanswered == [question], (product, question, answers.from_sources)


def test_sources_are_per_product_and_the_faq_is_one_of_them(
    three_products: KnowledgeBase,
) -> None:
    question = "Is our data encrypted at rest?"
    assert three_products.search(question, "fleetline", 1)[0].title == (
        "Fleetline security overview"
    )
    assert all(
        h.title != "Fleetline security overview"
        for h in three_products.search(question, "clinicflow", 5)
    )
    # With no documents at all the FAQ still answers, through the same index.
    answers = answer_questions(
        ["How much does it cost per practitioner?"],
        "clinicflow",
        three_products,
        KnowledgeSettings(),
    )
    assert answers.from_faq and not answers.unanswered


def test_a_question_the_faq_matcher_leaves_open_is_not_answered_from_faq_passages(
    three_products: KnowledgeBase,
) -> None:
    # Close in words to the FAQ's installation and trial answers, yet neither says it.
    from graphs.knowledge.source_answers import index_faq

    index_faq(three_products, "fleetline")
    question = "What days can your fitter do?"
    assert three_products.search(question, "fleetline", 1)[0].kind == "faq"
    answers = answer_questions([question], "fleetline", three_products, KnowledgeSettings())
    assert answers.unanswered == [question]


@pytest.fixture
def qualify_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("QUALIFY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("QUALIFY_PRODUCT", "fleetline")
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def test_cli_add_list_search_remove(qualify_home: Path, tmp_path: Path) -> None:
    from app.cli.main import app

    folder = tmp_path / "docs"
    folder.mkdir()
    _pdf(folder)
    (folder / "hardware.txt").write_text(
        (DOCS / "fleetline_hardware.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    added = runner.invoke(app, ["knowledge", "add", str(folder)])
    assert added.exit_code == 0, added.output
    assert "Fleetline security overview (3 passages)" in added.output
    listed = runner.invoke(app, ["knowledge", "list"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    # Titles may wrap in a narrow terminal (`add` showed them whole); ids never do.
    assert "faq-fleetline" in listed.output and "security-" in listed.output
    source_id = next(line.split()[1] for line in listed.output.splitlines() if "security-" in line)
    found = runner.invoke(
        app, ["knowledge", "search", "Is our data encrypted at rest?", "-k", "1"],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert found.exit_code == 0, found.output
    assert "Encryption" in found.output and "yes" in found.output
    removed = runner.invoke(app, ["knowledge", "remove", source_id])
    assert removed.exit_code == 0, removed.output
    listed = runner.invoke(app, ["knowledge", "list"], env={"COLUMNS": "250"})
    assert "security" not in listed.output and "faq-fleetline" in listed.output
    again = runner.invoke(app, ["knowledge", "remove", source_id])
    assert again.exit_code == 1 and "qualify knowledge list" in again.output
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK")
    refused = runner.invoke(app, ["knowledge", "add", str(bad)])
    assert refused.exit_code == 1 and "nothing was added" in refused.output
    unknown = runner.invoke(app, ["knowledge", "list", "--product", "nosuch"])
    assert unknown.exit_code == 1 and "known:" in unknown.output
    assert os.path.isdir(qualify_home / "chroma")


def test_the_threshold_is_an_engage_setting_checked_with_its_field_path() -> None:
    from graphs.engage.engage_settings import EngageFileError, default_engage, parse_engage_yaml

    assert default_engage().knowledge == KnowledgeSettings()
    assert parse_engage_yaml("knowledge:\n  min_score: 0.4\n").knowledge.min_score == 0.4
    with pytest.raises(EngageFileError) as caught:
        parse_engage_yaml("knowledge:\n  min_score: 2\n")
    assert "knowledge.min_score" in str(caught.value) and "line 2" in str(caught.value)
    with pytest.raises(EngageFileError) as caught:
        parse_engage_yaml("knowledge:\n  min_scor: 0.3\n")
    assert "min_score" in str(caught.value)  # the fix names the field meant
