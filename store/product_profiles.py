"""Admin versions of product profiles: each saved text, and which one is in force.

A product with no stored version uses the profile and FAQ shipped with the code. Saving a
version makes it the one in force; rollback retires the latest, so the one before it (or
the shipped files) is in force again. Texts are never edited or deleted: a trace can
always say which profile the agent read a reply against.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, func, select

from core.clock import utc_now


class ProductProfileVersion(SQLModel, table=True):
    """One saved version of a product's profile and FAQ, as the admin's YAML text."""

    __table_args__ = (
        UniqueConstraint("product", "version", name="uq_productprofileversion_product_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product: str = Field(index=True, description="The product's key, e.g. 'northwind'.")
    version: int = Field(description="1, 2, ... per product.")
    document: str = Field(sa_column=Column(Text, nullable=False))
    author: str
    note: str = ""
    created_on: datetime = Field(default_factory=utc_now)
    retired: bool = Field(default=False, description="Rolled back: no longer in force.")
    retired_on: datetime | None = None


def in_force(session: Session, product: str) -> ProductProfileVersion | None:
    """The latest version of `product` not rolled back (None: the shipped files)."""
    return session.exec(
        select(ProductProfileVersion)
        .where(
            ProductProfileVersion.product == product,
            col(ProductProfileVersion.retired).is_(False),
        )
        .order_by(col(ProductProfileVersion.version).desc())
        .limit(1)
    ).first()


def versions_of(session: Session, product: str) -> list[ProductProfileVersion]:
    """Every stored version of `product`, oldest first."""
    return list(
        session.exec(
            select(ProductProfileVersion)
            .where(ProductProfileVersion.product == product)
            .order_by(col(ProductProfileVersion.version))
        )
    )


def stored_products(session: Session) -> list[str]:
    """The products with at least one stored version."""
    return sorted(session.exec(select(ProductProfileVersion.product).distinct()))


def add_version(
    session: Session, product: str, document: str, *, author: str, note: str = ""
) -> ProductProfileVersion:
    """Store `document` as the next version of `product`; it is in force from now."""
    latest = session.exec(
        select(func.max(ProductProfileVersion.version)).where(
            ProductProfileVersion.product == product
        )
    ).one()
    row = ProductProfileVersion(
        product=product, version=(latest or 0) + 1, document=document, author=author, note=note
    )
    session.add(row)
    session.flush()
    return row


def retire(session: Session, row: ProductProfileVersion) -> None:
    """Take `row` out of force (a rollback)."""
    row.retired = True
    row.retired_on = utc_now()
    session.add(row)
