"""The CRM export formats, declared once: reading (`sim.scenario.crm.reading`), writing
(`sim.views.crm_export`) and the tables of docs/crm-import.md all follow these records.

A format names, for each role (a column of the normalised table, or a column the
outcome is worked out from), the CRM's column names it accepts, in any case; the
first is the one written. It says how the outcome is given (`explicit`: an outcome
column; `flags`: closed and won flags; `status`: a status column), which date styles
it writes, and its default pipeline's stage names with the model stage each stands for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ...vocabulary import CrmOutcome, Stage
from .dates import EPOCH_MS, ISO, US, DateStyle
from .table import OPPORTUNITY_COLUMNS, CrmError

OutcomeKind = Literal["explicit", "flags", "status"]

# What each role holds: the normalised columns, and the columns outcomes are read from.
ROLES = {
    "opportunity_id": "the opportunity's id (unique)",
    "created_date": "when it was created",
    "closed_date": "when it closed (an open deal's is ignored: the expected close; in the "
    "generic format it must be empty)",
    "outcome": "won, lost, no_decision, disqualified or open",
    "is_closed": "closed? (true/false, 1/0, yes/no; empty: false)",
    "is_won": "won? (true/false, 1/0, yes/no; empty: false)",
    "status": "open, won, lost or deleted (deleted rows are skipped)",
    "won_time": "when it was won",
    "lost_time": "when it was lost",
    "lost_reason": "why it was lost (read by the outcome rule)",
    "amount": "deal value, USD (empty: unknown; never negative)",
    "owner": "the owner (rep)",
    "source": "the lead source",
    "partner": "the partner account",
    "contacts": "committee size: contacts on the deal",
    "stage": "the current stage",
}
# The stage history file's roles.
HISTORY_ROLES = {
    "opportunity_id": "the opportunity's id",
    "stage": "the stage it entered",
    "entered_date": "when it entered the stage",
}
# The contact roles file's roles: each row one contact on one opportunity.
CONTACT_ROLES = {"opportunity_id": "the opportunity's id", "contact_id": "the contact's id"}
TRUE = frozenset({"true", "1", "yes", "y", "t"})
FALSE = frozenset({"false", "0", "no", "n", "f", ""})
PIPEDRIVE_STATUSES = {
    "open": CrmOutcome.OPEN,
    "won": CrmOutcome.WON,
    "lost": CrmOutcome.LOST,
    "deleted": None,  # skipped
}


@dataclass(frozen=True)
class Format:
    """One CRM's export: its files, columns, outcome, dates and default stage names."""

    name: str
    title: str
    files: Mapping[str, str]  # "opportunities", "stages", "contacts" -> the file's usual name
    columns: Mapping[str, tuple[str, ...]]  # role -> CRM column names (any case); first written
    required: frozenset[str]  # roles whose column must be there
    outcome: OutcomeKind
    dates: tuple[DateStyle, ...]
    stages: Mapping[str, Stage]  # default pipeline, in order: CRM stage name -> model stage
    closed_stages: Mapping[CrmOutcome, str] = field(default_factory=dict)  # where closed deals sit
    history_columns: Mapping[str, tuple[str, ...]] | None = None  # a stage history file
    history_prefixes: tuple[str, ...] = ()  # or date-entered columns in the main file
    contact_columns: Mapping[str, tuple[str, ...]] | None = None  # a contact roles file

    def column(self, role: str) -> str | None:
        """The column name this format writes for a role (None: the format has no such column)."""
        names = self.columns.get(role)
        return names[0] if names else None

    def stage_name(self, stage: Stage) -> str:
        """What this CRM calls a model stage: its default pipeline's first name for it,
        else the stage's key (which every format reads back as that stage)."""
        return next((name for name, mapped in self.stages.items() if mapped == stage), stage.key)


# Required everywhere: what says when a deal was created and how it ended, its value and owner.
FLAGGED_REQUIRED = frozenset(  # ... where closed and won are flags (Salesforce, HubSpot)
    {"opportunity_id", "created_date", "closed_date", "is_closed", "is_won", "amount", "owner"}
)
GENERIC = Format(
    name="generic",
    title="Generic CSV",
    files={"opportunities": "opportunities.csv", "stages": "stage_history.csv"},
    columns={role: (role,) for role in OPPORTUNITY_COLUMNS},  # the normalised names
    required=frozenset(
        {"opportunity_id", "created_date", "closed_date", "outcome", "amount", "owner"}
    ),
    outcome="explicit",
    dates=(ISO,),
    stages={stage.key: stage for stage in Stage},
    history_columns={role: (role,) for role in HISTORY_ROLES},
)
SALESFORCE = Format(
    name="salesforce",
    title="Salesforce (Opportunity, OpportunityHistory, OpportunityContactRole)",
    files={
        "opportunities": "Opportunity.csv",
        "stages": "OpportunityHistory.csv",
        "contacts": "OpportunityContactRole.csv",
    },
    columns={
        "opportunity_id": ("Id",),
        "created_date": ("CreatedDate",),
        "closed_date": ("CloseDate",),
        "is_closed": ("IsClosed",),
        "is_won": ("IsWon",),
        # Not a standard field: orgs add their own; `lost_reason_column` names another.
        "lost_reason": ("Loss_Reason__c",),
        "amount": ("Amount",),
        "owner": ("OwnerId",),
        "source": ("LeadSource",),
        "stage": ("StageName",),
    },
    required=FLAGGED_REQUIRED,
    outcome="flags",
    dates=(ISO, US),
    stages={
        "Prospecting": Stage.QUALIFYING,
        "Qualification": Stage.QUALIFYING,
        "Needs Analysis": Stage.STALLERS,
        "Value Proposition": Stage.STALLERS,
        "Id. Decision Makers": Stage.STALLERS,
        "Perception Analysis": Stage.NAY_SAYERS,
        "Proposal/Price Quote": Stage.DECIDING,
        "Negotiation/Review": Stage.NEGOTIATING,
    },
    closed_stages={CrmOutcome.WON: "Closed Won", CrmOutcome.LOST: "Closed Lost"},
    history_columns={
        "opportunity_id": ("OpportunityId",),
        "stage": ("StageName",),
        "entered_date": ("CreatedDate",),
    },
    contact_columns={"opportunity_id": ("OpportunityId",), "contact_id": ("ContactId",)},
)
HUBSPOT = Format(
    name="hubspot",
    title="HubSpot deals",
    files={"opportunities": "deals.csv"},
    columns={
        "opportunity_id": ("hs_object_id",),
        "created_date": ("createdate",),
        "closed_date": ("closedate",),
        "is_closed": ("hs_is_closed",),
        "is_won": ("hs_is_closed_won",),
        "lost_reason": ("closed_lost_reason",),
        "amount": ("amount",),
        "owner": ("hubspot_owner_id",),
        "source": ("hs_analytics_source",),
        "contacts": ("num_associated_contacts",),
        "stage": ("dealstage",),
    },
    required=FLAGGED_REQUIRED,
    outcome="flags",
    dates=(EPOCH_MS, ISO),
    stages={
        "appointmentscheduled": Stage.QUALIFYING,
        "qualifiedtobuy": Stage.QUALIFYING,
        "presentationscheduled": Stage.STALLERS,
        "decisionmakerboughtin": Stage.DECIDING,
        "contractsent": Stage.NEGOTIATING,
    },
    closed_stages={CrmOutcome.WON: "closedwon", CrmOutcome.LOST: "closedlost"},
    # The first is written; newer portals name the same dates hs_v2_date_entered_<stage>.
    history_prefixes=("hs_date_entered_", "hs_v2_date_entered_"),
)
PIPEDRIVE = Format(
    name="pipedrive",
    title="Pipedrive deals",
    files={"opportunities": "deals.csv"},
    columns={
        "opportunity_id": ("id",),
        "created_date": ("add_time",),
        "closed_date": ("close_time",),
        "status": ("status",),
        "won_time": ("won_time",),
        "lost_time": ("lost_time",),
        "lost_reason": ("lost_reason",),
        "amount": ("value",),
        "owner": ("owner_id", "user_id"),
        "source": ("origin", "source"),
        "contacts": ("participants_count",),
        "stage": ("stage", "stage_id"),
    },
    required=frozenset(
        {"opportunity_id", "created_date", "status", "won_time", "lost_time", "amount", "owner"}
    ),
    outcome="status",
    dates=(ISO,),
    stages={
        "Qualified": Stage.QUALIFYING,
        "Contact Made": Stage.STALLERS,
        "Demo Scheduled": Stage.STALLERS,
        "Proposal Made": Stage.DECIDING,
        "Negotiations Started": Stage.NEGOTIATING,
    },
)
FORMATS = {format.name: format for format in (GENERIC, SALESFORCE, HUBSPOT, PIPEDRIVE)}


def format_named(name: str) -> Format:
    """The format called `name`; a CrmError saying which there are if none is."""
    found = FORMATS.get(name.strip().lower())
    if found is None:
        raise CrmError(f"unknown CRM format {name!r}; allowed: {', '.join(FORMATS)}")
    return found


def model_stage(
    crm_stage: str, format: str, overrides: Mapping[str, str] | None = None
) -> Stage | None:
    """The model stage a CRM stage name stands for (any case), or None if unknown.

    An override ({"Demo": "stallers"}) wins; then the format's default pipeline; then a
    model stage's own key, which every format accepts.
    """
    name = crm_stage.strip().casefold()
    for given, key in (overrides or {}).items():
        if given.strip().casefold() == name:
            return stage_from_key(key, f"stage override {given!r}")
    for known, stage in format_named(format).stages.items():
        if known.casefold() == name:
            return stage
    return next((stage for stage in Stage if stage.key == name), None)


def stage_from_key(key: str, where: str) -> Stage:
    """The model stage whose key is `key`; a CrmError naming `where` if none."""
    try:
        return Stage.from_key(key.strip())
    except KeyError:
        raise CrmError(
            f"{where}: {key!r} is not a model stage; allowed: {', '.join(Stage.keys())}"
        ) from None


def format_tables() -> str:
    """Each format's files, dates, columns and default stages as Markdown, for
    docs/crm-import.md."""
    return "\n\n".join(_format_table(chosen) for chosen in FORMATS.values())


def _format_table(chosen: Format) -> str:
    files = ", ".join(f"{kind}: `{name}`" for kind, name in chosen.files.items())
    dates = " or ".join(f"{style.name} (`{style.example}`)" for style in chosen.dates)
    lines = [
        f"### `{chosen.name}`: {chosen.title}",
        "",
        f"Files (their usual names, found in a folder): {files}. Dates: {dates}.",
        "",
        "| normalised column (or what it is read from) | CRM column | required |",
        "|---|---|---|",
    ]
    for role, names in chosen.columns.items():
        columns = " or ".join(f"`{name}`" for name in names)
        lines.append(
            f"| `{role}`: {ROLES[role]} | {columns} | {'yes' * (role in chosen.required)} |"
        )
    for title, table in (
        ("stage history file", chosen.history_columns),
        ("contact roles file", chosen.contact_columns),
    ):
        for role, names in (table or {}).items():
            lines.append(f"| {title}: `{role}` | `{names[0]}` | yes |")
    for prefix in chosen.history_prefixes:
        lines.append(f"| stage history: date entered each stage | `{prefix}<stage>` | |")
    if chosen.name != GENERIC.name:
        stages = ", ".join(f"{name} → `{stage.key}`" for name, stage in chosen.stages.items())
        closed = ", ".join(
            f"{name} ({outcome.key})" for outcome, name in chosen.closed_stages.items()
        )
        lines += [
            "",
            f"Default pipeline: {stages}." + (f" Closed stages: {closed}." if closed else ""),
        ]
    return "\n".join(lines)
