"""Result records: one row per deal, kept as compact columns while the model runs."""

from __future__ import annotations

import math

import numpy as np

from ..vocabulary import Outcome, Owner, Reason, Source, Stage, Term
from .deal import Deal
from .leads import LeadBook


def _listed(term: type[Term]) -> str:
    """'`won`, `lost_competitor`, ...': the keys a category column can hold."""
    return ", ".join(f"`{member.key}`" for member in term)


# The deal table's columns, in the order users see them, each with its meaning: the
# one declaration behind `DealRecords.columns` and the table in docs/results.md.
DEAL_COLUMNS = {
    "replication": "replication number, 0 to N-1",
    "deal_id": "the lead's number within its replication, in order of arrival; candidate "
    "leads that never arrived (thinned away, or turned away by a finite market, see "
    "docs/model.md) leave gaps",
    "source": _listed(Source),
    "partner": "index of the partner that brought the lead (order of `[[partners]]`), "
    "-1 for direct leads",
    "account": "the account the lead named, numbered from 0 (`[market] accounts`); -1 in an "
    "unlimited market, where every lead is an account of its own",
    "owner": "who works the deal: `rep`, `founder`, `partner` (also when rescued), `none` "
    "(never got a seller)",
    "created_day": "day the lead arrived",
    "counted": "the lead arrived in the statistics window (on or after `warmup_days`): the "
    "deals the headline figures count",
    "closed_day": "day the deal ended; empty for `open` deals",
    "outcome": _listed(Outcome),
    "reason": "why the deal ended as it did, the no-decision reasons included: " + _listed(Reason),
    "cycle_days": "`closed_day - created_day`; empty for `open` deals",
    "age_days": "days observed: `cycle_days` if closed, `horizon_days - created_day` if open",
    "value": "first-year deal value, USD",
    "stage": "stage at the end: " + _listed(Stage),
    "rep": "index of the rep working the deal at its end (also a rescuing rep), -1 if none "
    "or the founder (see `owner`)",
    "qualified": "the seller qualified the lead: it is an opportunity",
    "incumbent": 'the account had an incumbent vendor ("inside job" risk)',
    "patience_days": "the buyer's patience, counted from `created_day`",
    "stallers": "stallers on the committee, including those cleared in advance",
    "stallers_precleared": "stallers the buyer had already cleared through web content",
    "committee_size": "all members of the committee",
    "stalls": "stalls the seller went through (reschedules, requests, hand-offs)",
    "requests": "staller requests for information",
    "objections": "nay-sayer objections handled",
    "claimants": "partners covering the account: each claims commission on a win",
    "revenue": "first-year revenue of a won deal (value less options a misrepresenting "
    "partner never sold); 0 otherwise",
    "commission": "commission paid to partners on this deal",
    "misrepresented": "a partner misrepresented the product on this deal",
    "misrepresentation_veto": "the nay-sayer vetoed the deal for the partner's false claims",
    "rescued": "a direct seller joined this partner deal to rescue it",
    "direct_hours": "hours reps or the founder spent on the deal",
    "feature": "the feature the deal needed that the product lacked when it was qualified, "
    "numbered from 0 (a built feature's place goes to the next number), -1 if none; see "
    "`[features]`",
    "workaround": "its committee decided without that feature: the seller offered a workaround",
    "feature_wait_days": "days the deal waited, before its committee decided, for a feature "
    'built for it (`[features] policy = "build"`); to the horizon if still waiting',
    **{
        f"days_{stage.key}": f"days in stage `{stage.key}` ({stage.label}); the stages add "
        "up to `age_days`"
        for stage in Stage
    },
}

# The day and hour columns, worked out in float64 and kept as float32: half the memory of
# a million deals' days, within 1.2e-4 days (11 s) at day 2,380 and 2e-3 days (3 min) at
# the longest horizon, 36,500, so deals.csv's four decimals may differ in the last digit.
# Money stays float64: float32 would lose cents on values over $131,072.
FLOAT32_COLUMNS = (
    "created_day",
    "closed_day",
    "cycle_days",
    "age_days",
    "patience_days",
    "direct_hours",
    "feature_wait_days",
    *(f"days_{stage.key}" for stage in Stage),
)


def deal_column_table() -> str:
    """The deal table's columns as a Markdown table, for docs/results.md."""
    rows = [f"| `{name}` | {meaning} |" for name, meaning in DEAL_COLUMNS.items()]
    return "\n".join(["| column | meaning |", "|---|---|", *rows])


# Category columns of the deal table: the keys of their codes, as written in files.
CATEGORIES = {
    "source": Source.keys(),
    "outcome": Outcome.keys(),
    "reason": Reason.keys(),
    "stage": Stage.keys(),
    "owner": Owner.keys(),
}


# The columns of a recorded row after the deal id, in the order `DealRecords.close` writes them.
_ROW_COLUMNS = (
    "created_day",
    "closed_day",
    "outcome",
    "reason",
    "stage",
    "rep",
    "owner",
    "qualified",
    "stallers",
    "precleared",
    "committee_size",
    "stalls",
    "requests",
    "objections",
    "revenue",
    "misrepresented",
    "misrepresentation_veto",
    "rescued",
    "direct_hours",
    "feature",
    "workaround",
    "feature_wait_days",
)


class DealRecords:
    """Columns for every deal of one replication; deals never closed stay `open`."""

    def __init__(self, book: LeadBook, horizon_days: float, warmup_days: float = 0.0):
        n = len(book)
        self.horizon_days = horizon_days
        self.warmup_days = warmup_days
        self.book = book
        self.created_day = np.full(n, np.nan)  # from the clock, so cycles are never negative
        self.closed_day = np.full(n, np.nan)
        self.outcome = np.full(n, int(Outcome.OPEN), dtype=np.int8)
        self.reason = np.full(n, int(Reason.OPEN), dtype=np.int8)
        self.stage = np.zeros(n, dtype=np.int8)
        self.rep = np.full(n, -1, dtype=np.int32)
        self.qualified = np.zeros(n, dtype=bool)
        self.owner = np.zeros(n, dtype=np.int8)
        self.stallers = np.zeros(n, dtype=np.int16)
        self.precleared = np.zeros(n, dtype=np.int16)
        self.committee_size = np.zeros(n, dtype=np.int16)
        self.stalls = np.zeros(n, dtype=np.int32)
        self.requests = np.zeros(n, dtype=np.int32)
        self.objections = np.zeros(n, dtype=np.int32)
        self.stage_days = np.zeros((n, len(Stage)))
        self.revenue = np.zeros(n)
        self.commission = np.zeros(n)
        self.misrepresented = np.zeros(n, dtype=bool)
        self.misrepresentation_veto = np.zeros(n, dtype=bool)
        self.rescued = np.zeros(n, dtype=bool)
        self.direct_hours = np.zeros(n)
        self.feature = np.full(n, -1, dtype=np.int32)
        self.workaround = np.zeros(n, dtype=bool)
        self.feature_wait_days = np.zeros(n)
        self._rows: list[tuple] = []  # deals recorded since the columns were last written

    def close(self, deal: Deal, outcome: Outcome, day: float | None) -> None:
        """Record a deal; day None means it is still open at the horizon.

        A plain tuple now, into the columns by `write` in one go: far cheaper than a
        numpy item assignment per column and deal.
        """
        committee, seller, gap = deal.committee, deal.seller, deal.gap
        precleared = len(committee.cleared)
        waiting_since = deal.feature_wait_since  # still waiting at its end: up to then
        waited = deal.feature_wait_days if waiting_since is None else deal.now - waiting_since
        self._rows.append(
            (
                deal.id,
                deal.created_day,
                math.nan if day is None else day,
                int(outcome if day is not None else Outcome.OPEN),
                int(deal.reason if day is not None else Reason.OPEN),
                int(deal.stage),
                -1 if seller is None else seller.index,
                int(deal.owner),
                deal.qualified,
                len(committee.stallers) + precleared,
                precleared,
                committee.size,
                deal.stalls,
                deal.requests,
                deal.objections,
                deal.revenue,
                deal.misrepresented,
                deal.misrepresentation_veto,
                deal.rescued,
                deal.direct_hours,
                -1 if gap is None else gap.number,
                deal.workaround,
                waited,
                deal.stage_days,
            )
        )

    def write(self) -> None:
        """Write the deals recorded so far into the columns."""
        if not self._rows:
            return
        *fields, stage_days = zip(*self._rows, strict=True)
        ids = np.array(fields[0], dtype=np.intp)
        for column, values in zip(_ROW_COLUMNS, fields[1:], strict=True):
            getattr(self, column)[ids] = values
        self.stage_days[ids] = stage_days
        self._rows = []

    def pay_commissions(self, deal: Deal, rates: np.ndarray) -> np.ndarray:
        """Each partner covering a won account claims its rate on the deal's revenue; the claims."""
        claims = self.book.covered[deal.id] * rates * deal.revenue
        self.commission[deal.id] = claims.sum()
        return claims

    def columns(self, replication: int) -> dict[str, np.ndarray]:
        """The replication's deal table as named columns, in the order of DEAL_COLUMNS.

        Candidate leads that never arrived (thinned or turned away) have no row. The
        FLOAT32_COLUMNS are rounded to float32 once, from their float64 values.
        """
        self.write()
        book = self.book
        arrived = ~np.isnan(self.created_day)
        closed = ~np.isnan(self.closed_day)
        end_day = np.where(closed, self.closed_day, self.horizon_days)
        table = {
            "replication": np.full(len(book), replication, dtype=np.int32),
            "deal_id": np.arange(len(book), dtype=np.int32),
            "source": book.source.astype(np.int8),
            "partner": book.partner.astype(np.int16),
            "account": book.account.astype(np.int32),
            "owner": self.owner,
            "created_day": self.created_day,
            "counted": self.created_day >= self.warmup_days,
            "closed_day": self.closed_day,
            "outcome": self.outcome,
            "reason": self.reason,
            "cycle_days": np.where(closed, self.closed_day - self.created_day, np.nan),
            "age_days": end_day - self.created_day,
            "value": book.value,
            "stage": self.stage,
            "rep": self.rep,
            "qualified": self.qualified,
            "incumbent": book.incumbent,
            "patience_days": book.patience_days,
            "stallers": self.stallers,
            "stallers_precleared": self.precleared,
            "committee_size": self.committee_size,
            "stalls": self.stalls,
            "requests": self.requests,
            "objections": self.objections,
            "claimants": book.covered.sum(axis=1).astype(np.int16),
            "revenue": self.revenue,
            "commission": self.commission,
            "misrepresented": self.misrepresented,
            "misrepresentation_veto": self.misrepresentation_veto,
            "rescued": self.rescued,
            "direct_hours": self.direct_hours,
            "feature": self.feature,
            "workaround": self.workaround,
            "feature_wait_days": self.feature_wait_days,
        }
        for stage in Stage:
            table[f"days_{stage.key}"] = self.stage_days[:, stage]
        assert table.keys() == DEAL_COLUMNS.keys(), "every column is declared, once"
        rows = {name: table[name][arrived] for name in DEAL_COLUMNS}
        for name in FLOAT32_COLUMNS:  # after the float64 arithmetic above
            rows[name] = rows[name].astype(np.float32)
        return rows
