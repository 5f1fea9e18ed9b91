"""Estimated cost of model calls: USD per million input and output tokens, per model.

The table holds list prices of common OpenAI models; `QUALIFY_LLM_PRICE_IN` and
`QUALIFY_LLM_PRICE_OUT` (USD per million tokens) override it, for any model, e.g. a
self-hosted one (price 0) or a negotiated rate. A model with no price gets no cost
(None), never a guess.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, Field

PRICE_IN_VARIABLE = "QUALIFY_LLM_PRICE_IN"
PRICE_OUT_VARIABLE = "QUALIFY_LLM_PRICE_OUT"


class ModelPrice(BaseModel):
    """A model's price in USD per million tokens."""

    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)


PRICES: dict[str, ModelPrice] = {
    "gpt-4o-mini": ModelPrice(input_per_million=0.15, output_per_million=0.60),
    "gpt-4o": ModelPrice(input_per_million=2.50, output_per_million=10.00),
    "gpt-4.1-nano": ModelPrice(input_per_million=0.10, output_per_million=0.40),
    "gpt-4.1-mini": ModelPrice(input_per_million=0.40, output_per_million=1.60),
    "gpt-4.1": ModelPrice(input_per_million=2.00, output_per_million=8.00),
    "o4-mini": ModelPrice(input_per_million=1.10, output_per_million=4.40),
    "o3-mini": ModelPrice(input_per_million=1.10, output_per_million=4.40),
    "gpt-3.5-turbo": ModelPrice(input_per_million=0.50, output_per_million=1.50),
}


def _env_price(env: Mapping[str, str], name: str) -> float | None:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise ValueError(
            f"{name}={raw!r} is not a price: set USD per million tokens as a number "
            f"of 0 or more (e.g. 0.15), or unset it to use the built-in price table"
        )
    return value


def table_price(model: str) -> ModelPrice | None:
    """The table's price for `model`: exact name, else without a provider prefix
    (`openai/gpt-4o`), else the longest known name it starts with (`gpt-4o-2024-08-06`)."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    if name in PRICES:
        return PRICES[name]
    known = [key for key in PRICES if name.startswith(key + "-")]
    return PRICES[max(known, key=len)] if known else None


def price_for(model: str, env: Mapping[str, str] | None = None) -> ModelPrice | None:
    """The price in force for `model`: the environment overrides the table, side by side.

    A model not in the table needs both variables set; with one, it has no price.
    """
    env = os.environ if env is None else env
    price_in = _env_price(env, PRICE_IN_VARIABLE)
    price_out = _env_price(env, PRICE_OUT_VARIABLE)
    base = table_price(model)
    if price_in is None and price_out is None:
        return base
    if base is None:
        if price_in is None or price_out is None:
            return None
        return ModelPrice(input_per_million=price_in, output_per_million=price_out)
    return ModelPrice(
        input_per_million=base.input_per_million if price_in is None else price_in,
        output_per_million=base.output_per_million if price_out is None else price_out,
    )


def estimate_cost(
    model: str, tokens_in: int, tokens_out: int, env: Mapping[str, str] | None = None
) -> float | None:
    """USD for one call, or None when the model has no price."""
    price = price_for(model, env)
    if price is None:
        return None
    return (tokens_in * price.input_per_million + tokens_out * price.output_per_million) / 1e6


def no_price_note(model: str) -> str:
    """What the trace says when a call has no cost."""
    return (
        f"no price for model {model!r}: set {PRICE_IN_VARIABLE} and {PRICE_OUT_VARIABLE} "
        "(USD per million tokens)"
    )
