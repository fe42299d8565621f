"""The open deals of a pipeline a run starts from (`sim.scenario.pipeline`): what no CRM shows.

An open deal joins the run on day 0, created `age_days` before, at the stage the CRM
shows; its value, source and committee size are the export's. What no CRM records is
drawn, from the pipeline's own streams (`sim.model.streams.PipelineStreams`):
- the buyer's patience, conditional on having lasted the deal's age so far (the gamma
  of `[leads]` by inversion of a uniform above its distribution function at the age);
- the lead's fit: above the disqualify probability once past qualifying (it was
  qualified), else as a new lead's;
- whether an incumbent has an inside relationship, as for a new lead;
- the committee's members, as for a new deal; then `Committee.recall` replays, in no
  time, the stalls and objections of the stages the deal has passed. Its current stage
  starts afresh: a deal well into its stallers meets them all again (docs/model.md,
  "Starting from an open pipeline").
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincc, gammainccinv

from ..scenario.pipeline import OpenDeal, Pipeline
from ..scenario.schema import Committee as CommitteeParams
from ..scenario.schema import Scenario
from ..vocabulary import Stage
from .committee import Committee, CommitteeDraws
from .leads import LeadBook
from .streams import CHUNK, PipelineStreams


def patience_beyond(age: np.ndarray, uniforms: np.ndarray, shape: float, mean: float) -> np.ndarray:
    """Gamma patience (shape, mean) given that it exceeds `age`, by inversion of `uniforms`.

    Drawn in the upper tail, where the tail beyond a long age is still a number: the
    patience whose tail probability is (1 - u) times the tail beyond the age (never
    below the age, whatever the rounding).
    """
    scale = mean / shape
    beyond = gammaincc(shape, age / scale)
    return np.maximum(scale * gammainccinv(shape, (1.0 - uniforms) * beyond), age)


def committee_shape(params: CommitteeParams, size: int | None) -> CommitteeParams:
    """The scenario's committee, or one of `size` members: its decision makers and nay-sayers
    first (as many as the scenario's, while they fit), the rest stallers."""
    if size is None:
        return params
    decision_makers = min(params.decision_makers, size)
    nay_sayers = min(params.nay_sayers, size - decision_makers)
    stallers = size - decision_makers - nay_sayers
    update = {"decision_makers": decision_makers, "nay_sayers": nay_sayers, "stallers": stallers}
    return params.model_copy(update=update)


class OpenDeals:
    """The open deals of a pipeline in one replication: rows after the leads', committees."""

    def __init__(self, scenario: Scenario, pipeline: Pipeline, streams: PipelineStreams):
        self.scenario = scenario
        self.deals: tuple[OpenDeal, ...] = pipeline.deals
        self.streams = streams
        self.shapes = [committee_shape(scenario.committee, d.committee_size) for d in self.deals]
        # Draws for the widest committee: seats fill rows in order, so a smaller one's
        # members are the first seats of it.
        self.widest = scenario.committee.model_copy(
            update={
                "stallers": max([s.stallers for s in self.shapes], default=0),
                "nay_sayers": max([s.nay_sayers for s in self.shapes], default=0),
            }
        )
        self._draws: dict[int, CommitteeDraws] = {}
        self.rows = self._rows()

    def _rows(self) -> dict[str, np.ndarray]:
        """A lead book row for each open deal: what a deal reads of its lead. Arrived
        `age_days` before day 0, direct, no account, and never due to arrive again: its
        thinning draw is 1, never below a day's rate (`World.due_leads`)."""
        deals, params, scenario = self.deals, self.scenario.leads, self.scenario
        n = len(deals)
        age = np.array([deal.age_days for deal in deals], dtype=float)
        patience_u, fit_u, incumbent_u = self.streams.leads.random((n, 3)).T
        past_qualifying = np.array([deal.stage > Stage.QUALIFYING for deal in deals], dtype=bool)
        floor = np.where(past_qualifying, params.disqualify_probability, 0.0)
        return {
            "arrival_day": -age,
            "value": np.array([deal.value_in(scenario) for deal in deals], dtype=float),
            "patience_days": patience_beyond(
                age, patience_u, params.patience_shape, params.patience_mean_days
            ),
            "source": np.array([int(deal.source) for deal in deals], dtype=np.int64),
            "fit": floor + fit_u * (1.0 - floor),
            "incumbent": incumbent_u < scenario.competition.incumbent_probability,
            "partner": np.full(n, -1),
            "covered": np.zeros((n, len(scenario.partners)), dtype=bool),
            "account": np.full(n, -1),
            "accept": np.ones(n),
        }

    def after(self, leads: LeadBook) -> LeadBook:
        """The lead book with the open deals' rows after the leads' (their ids follow)."""
        columns = {
            name: np.concatenate([getattr(leads, name), row]) for name, row in self.rows.items()
        }
        return LeadBook(**columns)

    def committee(self, index: int, preclear_probability: float) -> Committee:
        """The committee of the open deal at `index` in the pipeline."""
        chunk = index // CHUNK
        draws = self._draws.get(chunk)
        if draws is None:
            draws = self._draws[chunk] = CommitteeDraws(self.widest, self.streams, chunk)
        return Committee(self.shapes[index], draws, index, preclear_probability)
