"""What a CRM's words mean to the model: the outcome of a lost deal, and a lead's source.

No CRM has a "no decision" outcome: a deal the buyer never decided is closed as lost
with a reason such as "went dark". `OutcomeRule` reads the reason; its phrases are
documented in docs/crm-import.md and can be replaced. `model_source` reads the lead
source text the same way, by case-insensitive phrases.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...vocabulary import CrmOutcome, Source

# Lost reasons that mean the buyer decided nothing. "timing" and "no budget" are the
# usual CRM picklist wording for a project put off, not for a competitor's win.
NO_DECISION_PHRASES = (
    "no decision",
    "no-decision",
    "status quo",
    "do nothing",
    "went dark",
    "no response",
    "unresponsive",
    "ghost",
    "lost momentum",
    "project cancelled",
    "project canceled",
    "no budget",
    "timing",
)
# Lost reasons that mean the seller ruled the lead out.
DISQUALIFIED_PHRASES = (
    "not a fit",
    "poor fit",
    "disqualif",
    "unqualified",
    "bad fit",
    "wrong size",
)


@dataclass(frozen=True)
class OutcomeRule:
    """How a lost deal's reason says what kind of loss it was (phrases, any case)."""

    no_decision: tuple[str, ...] = NO_DECISION_PHRASES
    disqualified: tuple[str, ...] = DISQUALIFIED_PHRASES

    def outcome(self, lost_reason: str) -> CrmOutcome:
        """`no_decision` if the reason holds a no-decision phrase, else `disqualified` if
        it holds a disqualified phrase, else `lost`."""
        reason = lost_reason.casefold()
        if any(phrase.casefold() in reason for phrase in self.no_decision):
            return CrmOutcome.NO_DECISION
        if any(phrase.casefold() in reason for phrase in self.disqualified):
            return CrmOutcome.DISQUALIFIED
        return CrmOutcome.LOST


# Lead source phrases, checked in this order; a source matching none is marketing's.
# Partner first: "partner website" is a partner's lead.
SOURCE_PHRASES = (
    (Source.PARTNER, ("partner", "channel", "reseller")),
    (Source.FOUNDER_NETWORK, ("founder", "network", "personal")),
    (Source.INBOUND_WEB, ("web", "organic", "inbound", "seo")),
)


def model_source(crm_source: str, partner: str = "") -> Source:
    """The model's lead source of a CRM opportunity: a partner's if it names a partner,
    else the first of SOURCE_PHRASES its source text holds, else marketing."""
    if partner.strip():
        return Source.PARTNER
    text = crm_source.casefold()
    for source, phrases in SOURCE_PHRASES:
        if any(phrase in text for phrase in phrases):
            return source
    return Source.MARKETING


# Owners that are not reps: the founder, and the placeholders CRMs use for nobody yet (a
# partner's deal no rep joined is the channel's).
NOT_REPS = ("unassigned", "channel", "nobody", "")


def is_founder(owner: str) -> bool:
    """Does an opportunity's owner name a founder (any case)?"""
    return "founder" in owner.casefold()


def is_rep(owner: str) -> bool:
    """Does an opportunity's owner count as a rep of the team? Yes, unless it is one of
    NOT_REPS or names a founder."""
    return owner.strip().casefold() not in NOT_REPS and not is_founder(owner)
