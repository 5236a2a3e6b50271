"""JSON bodies whose cost is bounded before it is paid.

A body within the byte limit can still hold millions of tiny values (`[{},{},...]`), and turning each
into a Python object, and each invalid one into a validation error, took tens of seconds and
gigabytes with the event loop blocked. No valid request holds more than a batch of digits' worth of
values, so before parsing, the body's commas, brackets and quotes are counted (C speed, ~1 ms for
8 MiB): they bound its numbers, lists/objects and strings. Past the budget: 413 at once. Within it,
orjson parses (GIL held, so a thread would not free the event loop; the budget is what keeps the
parse short) and pydantic validates Python objects whose sizes are now bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from pydantic_core import from_json

NUMBERS_PER_DIGIT = 832  # 784 pixels, 28 rows, a few fields
CONTAINERS_PER_DIGIT = 32  # 28 rows, the digit's list and object, a little slack
QUOTES_PER_DIGIT = 8  # a key and a value string (an image), or two keys
SMALL_BODY_BYTES = 16 * 1024  # a digit as 784 numbers fits; the worst body this size costs a few ms: no need to count


class JsonTooLarge(Exception):
    """The body holds more JSON values than any valid request; the message says which and the limit."""


class InvalidJson(ValueError):
    """Not JSON at all."""


@dataclass(frozen=True)
class JsonBudget:
    """The most values of each kind one request body may hold, from the per-request digit limit."""

    numbers: int
    containers: int
    quotes: int

    @classmethod
    def for_digits(cls, digits: int) -> JsonBudget:
        return cls(
            numbers=digits * NUMBERS_PER_DIGIT + 1024,
            containers=digits * CONTAINERS_PER_DIGIT + 64,
            quotes=digits * QUOTES_PER_DIGIT + 256,
        )

    def check(self, body: bytes) -> None:
        """Raise JsonTooLarge if counting says the body holds more than the budget (strings only overcount)."""
        if len(body) <= SMALL_BODY_BYTES:
            return
        counts = {
            "values (commas)": (body.count(b","), self.numbers),
            "lists and objects": (body.count(b"[") + body.count(b"{"), self.containers),
            "strings (quotes)": (body.count(b'"'), self.quotes),
        }
        for kind, (count, limit) in counts.items():
            if count > limit:
                raise JsonTooLarge(f"the body holds {count:,} JSON {kind}, over the limit of {limit:,} for one request")


def load(body: bytes, budget: JsonBudget) -> Any:
    """The body as Python objects, refused before parsing if it holds more values than `budget`."""
    budget.check(body)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    try:  # NaN and Infinity, as Python's json module writes them, then get a precise answer about the pixels
        return from_json(body, allow_inf_nan=True)
    except ValueError as exc:
        raise InvalidJson(str(exc)) from None
