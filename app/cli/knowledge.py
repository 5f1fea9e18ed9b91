"""`qualify knowledge ...`: the documents the agent answers leads' questions from (product
guides, case studies, pricing pages; the FAQ is always one of them), per product."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, get_args

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.run_context import console, database_url, fail
from core.settings import get_settings
from graphs.engage.stored_settings import load_engage_settings
from graphs.knowledge.product_catalog import product_knowledge
from graphs.knowledge.source_answers import index_faq, passage_answers
from tools.knowledge_base.passages import READABLE, DocumentError, read_document
from tools.knowledge_base.sources import SourceKind

if TYPE_CHECKING:
    from tools.knowledge_base.index import KnowledgeBase

knowledge_app = typer.Typer(
    help="Add, list, search and remove the documents the agent answers questions from."
)

ProductOption = Annotated[
    str | None, typer.Option(help="Product key (default: QUALIFY_PRODUCT).", show_default=False)
]


def _base() -> KnowledgeBase:
    # Imported here: Chroma takes most of a second to load, and every other command of
    # `qualify` would pay for it at start-up.
    from tools.knowledge_base.index import KnowledgeBase

    return KnowledgeBase(get_settings().resolved_chroma_dir)


def _product(product: str | None) -> str:
    """A known product's key (its FAQ indexed as a source), or a clear error."""
    key = product or get_settings().product
    try:
        product_knowledge(key, database_url())
    except ValueError as exc:
        raise fail(str(exc)) from exc
    return key


def _files(paths: list[Path]) -> list[Path]:
    """The files named, and the readable files inside the folders named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix.lower() in READABLE)
            if not inside:
                raise fail(f"{path}: no {', '.join(sorted(READABLE))} files in this folder")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise fail(f"{path}: no such file or folder")
    return found


@knowledge_app.command("add")
def knowledge_add(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders (Markdown, HTML, PDF, text).")
    ],
    product: ProductOption = None,
    kind: Annotated[
        str, typer.Option(help="document, case_study or pricing (how the source is listed).")
    ] = "document",
) -> None:
    """Index documents for a product (a file added again replaces its earlier passages)."""
    kinds = [k for k in get_args(SourceKind) if k != "faq"]
    if kind not in kinds:
        raise fail(f"--kind {kind!r} is not a kind of source; use one of: {', '.join(kinds)}")
    key = _product(product)
    files = _files(paths)
    # Read every file before indexing any: a bad one leaves the index as it was.
    try:
        for path in files:
            read_document(path)
    except DocumentError as exc:
        raise fail(f"{exc} (nothing was added)") from exc
    base = _base()
    index_faq(base, key)
    for path in files:
        source = base.add_file(path, key, kind)  # type: ignore[arg-type]
        console.print(
            f"Added [bold]{escape(source.id)}[/bold]: {escape(source.title)} "
            f"({source.passages} passages) for {key}"
        )


@knowledge_app.command("list")
def knowledge_list(product: ProductOption = None) -> None:
    """The sources of a product (or of every product with --product all)."""
    base = _base()
    if product != "all":
        index_faq(base, _product(product))
    sources = base.sources(None if product == "all" else (product or get_settings().product))
    every = product == "all"
    table = Table(
        title=None if every else f"Knowledge sources of {product or get_settings().product}"
    )
    # The id is what `remove` takes: never cut, whatever the terminal's width.
    table.add_column("id", no_wrap=True, min_width=max((len(s.id) for s in sources), default=2))
    for header in ("product", "kind", "title", "passages", "added", "file"):
        if header != "product" or every:
            table.add_column(header)
    for source in sources:
        table.add_row(
            source.id,
            *([source.product] if every else []),
            source.kind,
            escape(source.title),
            str(source.passages),
            source.added_on.strftime("%Y-%m-%d %H:%M"),
            escape(source.path),
        )
    console.print(table)


@knowledge_app.command("remove")
def knowledge_remove(
    source_id: Annotated[str, typer.Argument(help="A source id from `list`.")],
) -> None:
    """Remove a document from the sources (the FAQ stays: edit it with `qualify product`)."""
    if source_id.startswith("faq-"):
        raise fail(f"{source_id} is the product's FAQ; change it with `qualify product set`")
    removed = _base().remove(source_id)
    if not removed:
        raise fail(f"no source {source_id!r}; `qualify knowledge list` shows the ids")
    console.print(f"Removed {escape(source_id)} ({removed} passages)")


@knowledge_app.command("search")
def knowledge_search(
    question: Annotated[str, typer.Argument(help="A question as a lead would ask it.")],
    product: ProductOption = None,
    k: Annotated[int, typer.Option("-k", help="How many passages to show.")] = 5,
) -> None:
    """The passages closest to a question, and whether each is close enough to answer it
    (engage settings `knowledge.min_score`)."""
    key = _product(product)
    min_score = load_engage_settings(database_url()).knowledge.min_score
    base = _base()
    index_faq(base, key)
    table = Table("score", "answers", "source", "passage")
    for hit in base.search(question, key, k):
        answers = passage_answers(question, hit, min_score=min_score)
        table.add_row(
            f"{hit.score:.3f}",
            "yes" if answers else "no",
            escape(f"{hit.citation} [{hit.source_id}]"),
            escape(hit.text[:160] + ("…" if len(hit.text) > 160 else "")),
        )
    console.print(table)
    console.print(
        f"min_score {min_score}: below it, or naming something the passage does not, "
        "the question goes to the seller."
    )
