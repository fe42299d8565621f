"""The market: the target accounts, who is a customer, who is cooling off.

In a finite market (`[market] accounts`) every candidate lead names an account, and each
partner covers a fixed share of the accounts (`sim.model.leads`). An account is free, in
an open deal, a customer, or cooling off after a deal that ended without a sale. A lead
arrives only if its account is free; otherwise it is turned away. Lead generation and
partners therefore draw from what is left, and saturation shows as fewer arrivals.
A won account is a customer for good: it is never sold to again.
"""

from __future__ import annotations

import math

from ..scenario.schema import Market as MarketParams


class Accounts:
    """The accounts of one replication: lists indexed by account, so each lead costs O(1)."""

    __slots__ = (
        "limited",
        "cooloff_days",
        "large",
        "free_from",
        "in_deal",
        "customer",
        "worked",
        "turned_away",
    )

    def __init__(self, params: MarketParams):
        self.limited = math.isfinite(params.accounts)  # else the market stays out of the model
        count = int(params.accounts) if self.limited else 0
        self.cooloff_days = params.cooloff_days
        self.large = params.large_accounts  # accounts 0 to large - 1: the large segment
        self.free_from = [0.0] * count  # day its cool-off ends (inf: never worked again)
        self.in_deal = [False] * count
        self.customer = [False] * count
        self.worked = [False] * count  # a deal was opened on it
        # Days on which leads were turned away, by why: the replication table's columns.
        self.turned_away: dict[str, list[float]] = {
            "leads_turned_away_busy": [],
            "leads_turned_away_customer": [],
            "leads_turned_away_cooling": [],
        }

    def admits(self, account: int, day: float) -> bool:
        """A lead for the account is due: it arrives if the account is free, which it then isn't."""
        if self.in_deal[account]:
            why = "leads_turned_away_busy"
        elif self.customer[account]:
            why = "leads_turned_away_customer"
        elif day < self.free_from[account]:
            why = "leads_turned_away_cooling"
        else:
            self.in_deal[account] = self.worked[account] = True
            return True
        self.turned_away[why].append(day)
        return False

    def deal_ended(self, account: int, won: bool, day: float) -> None:
        """A won account is a customer for good; any other cools off for `cooloff_days`."""
        self.in_deal[account] = False
        if won:
            self.customer[account] = True
        else:
            self.free_from[account] = day + self.cooloff_days

    def stats(self, start: float, end: float) -> dict[str, float]:
        """Leads turned away in the window [start, end), by why; customers and accounts never
        worked at the end (NaN in an unlimited market, which has neither)."""
        counts = {
            why: sum(start <= d < end for d in days) for why, days in self.turned_away.items()
        }
        if not self.limited:
            return {
                **counts,
                **dict.fromkeys(("customers_end", "large_customers_end"), math.nan),
                "accounts_untouched": math.nan,
            }
        return {
            **counts,
            "customers_end": self.customer.count(True),
            "large_customers_end": self.customer[: self.large].count(True),
            "accounts_untouched": self.worked.count(False),
        }
