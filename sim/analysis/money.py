"""Money: what one replication's selling cost, and what the customers it won will earn.

The model records facts (who won which deal on which day, rep-days employed, hires);
this module prices them with the scenario's `[costs]` and `[customers]`. Nothing here
feeds back into the model: a change of price never changes a deal.

Definitions (docs/results.md explains them for users):
- Cost of sales counts the statistics window, per year: rep salaries for the days each
  rep was employed, commissions on the deals won in the window, recruiting of the reps
  hired in it, the founder's selling hours, marketing staff and programmes, partner
  commissions.
- New customers are the deals won in the window, whenever they arrived (the money
  convention of `sim.analysis.metrics`).
- A customer pays monthly from its signature: month j brings its full monthly revenue
  (first-year revenue / 12) times the onboarding ramp, the chance it is still a customer
  (churn), and its expansion. These are expected values, not coin flips: the model has
  no behaviour after the signature, and drawing churn would add noise, never a mean.
- CAC = cost of sales / new customers; payback months = CAC / (full monthly revenue x
  gross margin), the benchmarks' definition (no ramp, no churn); sales efficiency = new
  first-year revenue / cost of sales; LTV = the gross profit a new customer is expected
  to bring over `lifetime_years`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..scenario.schema import TACTICS, Costs, Customers
from ..vocabulary import DAYS_PER_MONTH, DAYS_PER_YEAR, CostLine, Owner

if TYPE_CHECKING:
    from ..scenario import Scenario

# The replication facts the money figures read (replications.csv columns).
STATS = ("rep_days", "rep_hires")
MONTHS_PER_YEAR = 12
# The founder's hourly rate is a working hour's: hours a day count five days in seven.
WORKING_DAYS_PER_YEAR = DAYS_PER_YEAR * 5 / 7
# A rep's quota is judged over at least this much of the window: a rep hired last month
# has not had the chance to reach it (assumption: half of an annual quota period).
QUOTA_MIN_YEARS = 0.5


def customer_months(customers: Customers) -> np.ndarray:
    """A customer's expected monthly revenue in month j after signature, per dollar of full MRR."""
    months = np.arange(max(round(customers.lifetime_years * MONTHS_PER_YEAR), 1))
    onboarding, start = customers.onboarding_days, customers.onboarding_start_share
    if onboarding > 0:  # the share of onboarding done, clipped before dividing: no overflow
        ramped = np.minimum(months * DAYS_PER_MONTH, onboarding) / onboarding
    else:
        ramped = np.ones(len(months))
    ramp = start + (1.0 - start) * ramped
    staying = (1.0 - customers.monthly_churn) ** months
    growth = (1.0 + customers.expansion_per_year) ** (months / MONTHS_PER_YEAR)
    return ramp * staying * growth


@dataclass(frozen=True)
class Economics:
    """What a scenario's money figures need: its prices and the spending it fixes."""

    costs: Costs
    customers: Customers
    fixed_per_year: Mapping[CostLine, float]  # lines that do not depend on what happens
    months: np.ndarray  # `customer_months`
    commissioned: tuple[int, ...]  # owners whose wins pay reps a commission

    @classmethod
    def of(cls, scenario: Scenario) -> Economics:
        costs, marketing = scenario.costs, scenario.marketing
        founder = scenario.founder
        founder_sells = founder.max_active_deals > 0
        tactics = sum(marketing.tactic_people(tactic) > 0 for tactic in TACTICS)
        commissioned = [int(Owner.REP)]
        if costs.commission_on_founder_deals:
            commissioned.append(int(Owner.FOUNDER))
        return cls(
            costs=costs,
            customers=scenario.customers,
            fixed_per_year={
                CostLine.FOUNDER_TIME: founder_sells
                * founder.hours_per_day
                * WORKING_DAYS_PER_YEAR
                * costs.founder_hourly_rate,
                CostLine.MARKETING_STAFF: marketing.staff * costs.marketer_salary,
                CostLine.MARKETING_PROGRAMMES: tactics * costs.programme_spend_per_tactic,
            },
            months=customer_months(scenario.customers),
            commissioned=tuple(commissioned),
        )


@dataclass(frozen=True)
class Wins:
    """The deals won in the window: the new customers, who sold them, and the partners' cut."""

    day: np.ndarray
    revenue: np.ndarray
    owner: np.ndarray  # `Owner` codes
    rep: np.ndarray  # the rep's number, -1 if no rep's
    partner_commissions: float


@dataclass(frozen=True)
class Team:
    """Every rep ever employed, by rep number: hired, left (NaN: stayed), days in the window."""

    hired_day: np.ndarray
    left_day: np.ndarray
    days_in_window: np.ndarray


class Ledger:
    """One replication's money over the statistics window, from its facts (`stats`: the
    replications.csv row), its new customers and, if known, its reps one by one."""

    def __init__(
        self,
        economics: Economics,
        window_days: tuple[float, float],
        stats: Mapping[str, float],
        wins: Wins,
        team: Team | None = None,
    ):
        self.economics = economics
        self.start, self.end = window_days
        self.years = (self.end - self.start) / DAYS_PER_YEAR
        self.wins = wins
        self.team = team
        self.full_mrr = wins.revenue / MONTHS_PER_YEAR
        self.rep_years = float(stats["rep_days"]) / DAYS_PER_YEAR
        self.by_reps = (wins.owner == Owner.REP) & (wins.rep >= 0)
        costs = economics.costs
        commissioned = np.isin(wins.owner, economics.commissioned)
        totals = {
            CostLine.REP_SALARIES: costs.rep_base_salary * self.rep_years,
            CostLine.REP_COMMISSIONS: costs.commission_rate
            * float(wins.revenue[commissioned].sum()),
            CostLine.REP_DRAWS: self._draws_beyond_commissions(),
            CostLine.REP_HIRING: costs.hire_cost * float(stats["rep_hires"]),
            **{line: amount * self.years for line, amount in economics.fixed_per_year.items()},
            CostLine.PARTNER_COMMISSIONS: wins.partner_commissions,
        }
        self.cost_per_year = {line: totals[line] / self.years for line in CostLine}
        self.cost_total = sum(totals.values())

    def _by_rep(self, wins: np.ndarray) -> np.ndarray:
        """The first-year revenue of the given wins (a mask) that each rep won, by rep number."""
        assert self.team is not None
        credited = self.by_reps & wins
        return np.bincount(
            self.wins.rep[credited],
            weights=self.wins.revenue[credited],
            minlength=len(self.team.days_in_window),
        )

    def _draws_beyond_commissions(self) -> float:
        """A new rep's draw: paid for the first `draw_months` of employment in the window,
        less the commissions the rep earned meanwhile; an advance (`draw_recoverable`) is
        then taken back from the rep's later commissions in the window, as far as they go."""
        costs = self.economics.costs
        if costs.draw_months == 0 or costs.draw_per_month == 0:
            return 0.0
        if self.team is None:
            return math.nan  # who was drawing when is unknown
        team = self.team
        begins = np.maximum(team.hired_day, self.start)
        ends = np.minimum(team.hired_day + costs.draw_months * DAYS_PER_MONTH, self.end)
        ends = np.fmin(ends, team.left_day)  # a rep who left draws no more (NaN: stayed)
        months = np.maximum(ends - begins, 0.0) / DAYS_PER_MONTH
        rep = np.maximum(self.wins.rep, 0)
        during = (self.wins.day >= begins[rep]) & (self.wins.day < ends[rep])
        earned = costs.commission_rate * self._by_rep(during)
        shortfall = np.maximum(costs.draw_per_month * months - earned, 0.0)
        if costs.draw_recoverable:
            later = costs.commission_rate * self._by_rep(self.wins.day >= ends[rep])
            shortfall -= np.minimum(shortfall, later)
        return float(shortfall.sum())

    def reps_at_quota(self) -> float:
        """Share of the reps employed long enough whose wins reached their quota for the time."""
        if self.team is None:
            return math.nan
        years = self.team.days_in_window / DAYS_PER_YEAR
        judged = years >= QUOTA_MIN_YEARS
        if not judged.any():
            return math.nan
        won = self._by_rep(np.ones(len(self.wins.day), dtype=bool))
        return float((won[judged] >= self.economics.costs.rep_quota * years[judged]).mean())

    def quota_attainment(self) -> float:
        """The reps' first-year revenue won over their quota for the time they were employed."""
        if self.rep_years <= 0:
            return math.nan
        reps_revenue = float(self.wins.revenue[self.by_reps].sum())
        return reps_revenue / (self.economics.costs.rep_quota * self.rep_years)

    @property
    def new_customers(self) -> int:
        return len(self.wins.day)

    @property
    def cost_of_sales_per_year(self) -> float:
        return self.cost_total / self.years

    def cac(self) -> float:
        """Cost of sales per new customer; NaN without a new customer (not a division by 0)."""
        return self.cost_total / self.new_customers if self.new_customers else math.nan

    def payback_months(self) -> float:
        """Months of a new customer's gross profit at full revenue that repay its CAC."""
        if not self.new_customers:
            return math.nan
        profit = float(self.full_mrr.mean()) * self.economics.customers.gross_margin
        return self.cac() / profit if profit > 0 else math.inf

    def sales_efficiency(self) -> float:
        """New first-year revenue per dollar of cost of sales."""
        new = float(self.full_mrr.sum()) * MONTHS_PER_YEAR
        return new / self.cost_total if self.cost_total > 0 else math.nan

    def ltv(self) -> float:
        """Expected gross profit of a new customer over its lifetime (mean over new customers)."""
        if not self.new_customers:
            return math.nan
        margin = self.economics.customers.gross_margin
        return float(self.full_mrr.mean()) * margin * float(self.economics.months.sum())

    def ltv_to_cac(self) -> float:
        cac = self.cac()
        return self.ltv() / cac if cac > 0 else math.nan

    def _months_billed(self, day: float, signed: np.ndarray) -> np.ndarray:
        """Monthly bills each signed customer has received by `day` (the first at signing)."""
        since = (day - self.wins.day[signed]) / DAYS_PER_MONTH
        return np.floor(since).astype(np.int64) + 1  # a bill on signing, then every month

    def arr_end(self) -> float:
        """Annual recurring revenue at the horizon from the new customers still expected to pay."""
        return self.arr_on(self.end)

    def arr_on(self, day: float) -> float:
        """Annual recurring revenue on `day` from the new customers signed by then."""
        signed = self.wins.day <= day
        months = np.append(self.economics.months, 0.0)  # nothing after the lifetime
        current = np.minimum(self._months_billed(day, signed) - 1, len(months) - 1)
        return MONTHS_PER_YEAR * float((self.full_mrr[signed] * months[current]).sum())

    def revenue_collected(self) -> float:
        """Revenue the new customers are expected to have paid by the horizon."""
        months = self.economics.months
        paid = np.concatenate(([0.0], np.cumsum(months)))
        everyone = np.ones(len(self.wins.day), dtype=bool)
        billed = np.minimum(self._months_billed(self.end, everyone), len(months))
        return float((self.full_mrr * paid[billed]).sum())

    def sales_burn_per_year(self) -> float:
        """Cost of sales less the gross profit the new customers paid in the window, per year."""
        profit = self.revenue_collected() * self.economics.customers.gross_margin
        return (self.cost_total - profit) / self.years
