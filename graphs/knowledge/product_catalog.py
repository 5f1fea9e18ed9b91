"""The product profile and FAQ in force: the admin's stored version, else the shipped files.

A product's document is one YAML text: the profile's fields (name, sells, problems,
competitors, pricing, proof) and `faq:`, the list of FAQ entries. The shipped products
keep theirs as two files (`profiles/<product>.yaml`, `faq/<product>.yaml`); an admin's
`qualify product set` stores a new version in the database, in force from the next node
that runs. Nodes say which database to look in (`use_stored_products`); without one, the
shipped files are used.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from functools import cache, lru_cache
from typing import NamedTuple, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from core.settings import get_settings
from graphs.knowledge.product_faq import FAQ_DIR, FaqEntry, ProductFaq
from graphs.knowledge.product_profile import PROFILES_DIR, ProductProfile
from store.db import session_scope
from store.product_profiles import in_force, stored_products

SHIPPED = "shipped"
M = TypeVar("M", bound=BaseModel)


class ProductDocumentError(ValueError):
    """A product document that cannot be used; the message names the field and the fix."""


class ProductKnowledge(NamedTuple):
    """What the agent knows about one product, and which version it came from."""

    profile: ProductProfile
    faq: ProductFaq
    version: str  # "shipped" or the stored version number


def parse_document(text: str, product: str, *, version: str = SHIPPED) -> ProductKnowledge:
    """Validate a product document; `ProductDocumentError` names each wrong field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProductDocumentError(f"product {product!r}: not YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProductDocumentError(
            f"product {product!r}: write 'key: value' lines (name, sells, problems, "
            "competitors, pricing, proof, faq)"
        )
    entries = data.pop("faq", None)
    if not isinstance(entries, list) or not entries:
        raise ProductDocumentError(
            f"product {product!r}: 'faq' must list the answers the agent may give "
            "(each with id, topics and answer); copy them from `qualify product show`"
        )
    problems: list[str] = []
    profile = _validated(ProductProfile, data, (), problems)
    faq_entries = [_validated(FaqEntry, e, ("faq", n), problems) for n, e in enumerate(entries)]
    if problems:
        raise ProductDocumentError(
            f"product {product!r}: {len(problems)} field(s) to fix "
            "(`qualify product show` prints a valid document to start from):\n"
            + "\n".join(problems)
        )
    faq = ProductFaq(product=product, entries=faq_entries, context_names=profile.competitors)
    return ProductKnowledge(profile, faq, version)  # type: ignore[arg-type]


def _validated(model: type[M], data: object, at: tuple[object, ...], problems: list[str]) -> M:
    """`model` from `data`, or None with each wrong field added to `problems`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in (*at, *error["loc"])) or "(document)"
            problems.append(f"  {where}: {error['msg']}")
        return None  # type: ignore[return-value]


def shipped_products() -> tuple[str, ...]:
    """The products whose profile and FAQ ship with the code."""
    profiles = {path.stem for path in PROFILES_DIR.glob("*.yaml")}
    return tuple(sorted(profiles & {path.stem for path in FAQ_DIR.glob("*.yaml")}))


def shipped_document(product: str) -> str | None:
    """The shipped files of `product` as one document, comments kept; None if none ship."""
    profile_path, faq_path = PROFILES_DIR / f"{product}.yaml", FAQ_DIR / f"{product}.yaml"
    if not (profile_path.is_file() and faq_path.is_file()):
        return None
    faq_lines = faq_path.read_text(encoding="utf-8").splitlines()
    # The FAQ file's entries sit under 'entries:'; in the document they sit under 'faq:'.
    start = next(i for i, line in enumerate(faq_lines) if line.startswith("entries:"))
    comments = [line for line in faq_lines[:start] if line.startswith("#")]
    profile = profile_path.read_text(encoding="utf-8").rstrip()
    return "\n".join([profile, "", *comments, "faq:", *faq_lines[start + 1 :]]) + "\n"


@cache
def _shipped(product: str) -> ProductKnowledge | None:
    text = shipped_document(product)
    return None if text is None else parse_document(text, product)


@lru_cache(maxsize=64)
def _parsed(product: str, version: int, text: str) -> ProductKnowledge:
    return parse_document(text, product, version=str(version))


# The database a node reads products from, and what it has read in this step: a node asks
# for the profile and the FAQ several times, the store answers once.
_database: ContextVar[tuple[str, dict[str, ProductKnowledge]] | None] = ContextVar(
    "qualify_product_store", default=None
)


def use_stored_products(database_url: str | None) -> Callable[[], None]:
    """Read products from this database's stored versions in the current node; returns a
    function that restores the previous setting."""
    token = _database.set((database_url, {}) if database_url else None)
    return lambda: _database.reset(token)


def product_knowledge(
    product: str | None = None, database_url: str | None = None
) -> ProductKnowledge:
    """The profile and FAQ of `product` (default: the `QUALIFY_PRODUCT` setting) in force;
    ValueError naming the known products."""
    product = product or get_settings().product
    step = _database.get() if database_url is None else None
    if step is not None and product in step[1]:
        return step[1][product]
    url = database_url or (step[0] if step else None)
    knowledge = _in_force(product, url)
    if step is not None:
        step[1][product] = knowledge
    return knowledge


def _in_force(product: str, url: str | None) -> ProductKnowledge:
    if url is not None:
        with session_scope(url) as session:
            row = in_force(session, product)
            if row is not None:
                return _parsed(product, row.version, row.document)
    shipped = _shipped(product)
    if shipped is None:
        known = set(shipped_products())
        if url is not None:
            with session_scope(url) as session:
                known |= set(stored_products(session))
        raise ValueError(
            f"no product {product!r}; known: {', '.join(sorted(known))} "
            f"(add one with `qualify product set FILE --product {product}`)"
        )
    return shipped


def product_profile(product: str | None = None) -> ProductProfile:
    """The profile of `product` in force (see `product_knowledge`)."""
    return product_knowledge(product).profile


def product_faq(product: str | None = None) -> ProductFaq:
    """The FAQ of `product` in force (see `product_knowledge`)."""
    return product_knowledge(product).faq
