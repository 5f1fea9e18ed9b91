"""Admins save, read, list and roll back product documents (profile and FAQ)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.settings import get_settings
from graphs.knowledge.product_catalog import (
    SHIPPED,
    ProductDocumentError,
    parse_document,
    product_knowledge,
    shipped_document,
    shipped_products,
)
from store.db import session_scope
from store.product_profiles import (
    ProductProfileVersion,
    add_version,
    in_force,
    retire,
    stored_products,
    versions_of,
)


@dataclass(frozen=True)
class ProductSummary:
    """One product as `qualify product list` shows it."""

    product: str
    name: str
    in_force: str  # "shipped" or a version number
    stored_versions: int
    sold: bool  # the product the agent sells (QUALIFY_PRODUCT)


@dataclass(frozen=True)
class ProductDocument:
    """One version of a product's document."""

    product: str
    version: str
    text: str
    in_force: bool
    author: str | None = None
    note: str = ""
    created_on: datetime | None = None
    retired: bool = False


def _document(row: ProductProfileVersion, current: ProductProfileVersion | None) -> ProductDocument:
    return ProductDocument(
        row.product,
        str(row.version),
        row.document,
        current is not None and current.id == row.id,
        row.author,
        row.note,
        row.created_on,
        row.retired,
    )


def list_products(database_url: str) -> list[ProductSummary]:
    """Every product shipped or stored, with the version in force."""
    sold = get_settings().product
    with session_scope(database_url) as session:
        stored = set(stored_products(session))
        counts = {p: len(versions_of(session, p)) for p in stored}
    out = []
    for product in sorted(stored | set(shipped_products())):
        knowledge = product_knowledge(product, database_url)
        out.append(
            ProductSummary(
                product,
                knowledge.profile.name,
                knowledge.version,
                counts.get(product, 0),
                product == sold,
            )
        )
    return out


def show_document(database_url: str, product: str, version: str | None = None) -> ProductDocument:
    """A version's text: the one in force unless `version` ("shipped" or a number)."""
    with session_scope(database_url) as session:
        current = in_force(session, product)
        rows = versions_of(session, product)
    if version is None and current is not None:
        return _document(current, current)
    if version is None or version == SHIPPED:
        text = shipped_document(product)
        if text is None:
            raise ProductDocumentError(
                f"product {product!r} ships no files"
                + (f"; stored versions: {', '.join(str(r.version) for r in rows)}" if rows else "")
            )
        return ProductDocument(product, SHIPPED, text, current is None)
    for row in rows:
        if str(row.version) == version.strip():
            return _document(row, current)
    raise ProductDocumentError(
        f"product {product!r} has no version {version!r}; see `qualify product history {product}`"
    )


def save_document(
    database_url: str, product: str, text: str, *, author: str, note: str = ""
) -> ProductDocument:
    """Validate `text` and store it as the next version of `product`, in force from now.
    A document that does not validate stores nothing (`ProductDocumentError`)."""
    if not product or not product.replace("-", "").replace("_", "").isalnum():
        raise ProductDocumentError(
            f"product key {product!r}: use letters, digits, '-' or '_' (e.g. 'acme-fleet')"
        )
    parse_document(text, product)
    with session_scope(database_url) as session:
        row = add_version(session, product, text, author=author, note=note)
        return _document(row, row)


def history(database_url: str, product: str) -> list[ProductDocument]:
    """Every stored version of `product`, oldest first."""
    with session_scope(database_url) as session:
        current = in_force(session, product)
        return [_document(row, current) for row in versions_of(session, product)]


def rollback(database_url: str, product: str) -> str:
    """Retire the version in force; returns the one in force now ("shipped" or a number)."""
    with session_scope(database_url) as session:
        current = in_force(session, product)
        if current is None:
            raise ProductDocumentError(
                f"product {product!r}: the shipped files are in force; nothing to roll back"
            )
        retire(session, current)
        session.flush()
        after = in_force(session, product)
    if after is None and shipped_document(product) is None:
        return "none (the product has no shipped files: set a new version)"
    return SHIPPED if after is None else str(after.version)
