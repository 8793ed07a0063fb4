"""--max-cost: spending stops before it could pass a budget.

Before a request is sent, its cost is reserved at an upper bound: every byte of the prompt a token
(a BPE token is at least one byte) plus `max_tokens` of output, at the live or batch price. A
request is sent only if what is spent, what is reserved for requests in flight and its own
reservation fit the budget; once answered, the reservation becomes the estimated real cost. So the
estimated spending never passes the budget, at the price of stopping a little early.
"""

from __future__ import annotations

import json

from .base import Request
from .errors import BudgetExceeded
from .pricing import token_price

_PER_MESSAGE = 8  # tokens of a chat message's framing, generously


def max_cost(model: str, request: Request, batch: bool = False) -> float | None:
    """The most this request can cost in dollars; None for a model without a price."""
    price = token_price(model, batch)
    if price is None:
        return None
    prompt = sum(len(m.content.encode("utf-8")) + _PER_MESSAGE for m in request.messages)
    if request.json_schema is not None:
        prompt += len(json.dumps(request.json_schema, ensure_ascii=False).encode("utf-8"))
    return (prompt * price[0] + request.max_tokens * price[1]) / 1_000_000


class Budget:
    def __init__(self, limit_usd: float, spent_usd: float = 0.0):
        self.limit = limit_usd
        self.spent = spent_usd  # estimated cost of what is answered
        self.reserved = 0.0  # upper bounds of what is in flight

    def message(self) -> str:
        return (f"the budget of ${self.limit:.2f} (--max-cost) would be exceeded: ${self.spent:.4f} spent, "
                f"${self.reserved:.4f} reserved for requests in flight")

    def fits(self, amount: float) -> bool:
        return self.spent + self.reserved + amount <= self.limit + 1e-12

    def reserve(self, model: str, request: Request, batch: bool = False) -> float:
        """Reserve the request's upper bound, or raise BudgetExceeded."""
        amount = max_cost(model, request, batch)
        if amount is None:  # refused before the run starts (settings); here only as a guard
            raise BudgetExceeded(f"the model {model} has no price, so --max-cost cannot be kept")
        if not self.fits(amount):
            raise BudgetExceeded(self.message())
        self.reserved += amount
        return amount

    def settle(self, reserved: float, cost: float | None) -> None:
        self.reserved = max(self.reserved - reserved, 0.0)
        self.spent += cost or 0.0

    def release(self, reserved: float) -> None:
        self.reserved = max(self.reserved - reserved, 0.0)
