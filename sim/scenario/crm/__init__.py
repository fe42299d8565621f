"""CRM exports read into normalised tables: opportunities and their stage history.

Formats (`FORMATS`): generic, salesforce, hubspot, pipedrive; docs/crm-import.md
describes each, the dates accepted, the outcome rule and the stage maps. Imported on
its own (it needs pandas), like `sim.scenario.sweep_file`.
"""

from .formats import FORMATS, Format, format_named, model_stage
from .reading import read_export
from .rules import OutcomeRule, is_founder, is_rep, model_source
from .table import (
    OPPORTUNITY_COLUMNS,
    STAGE_COLUMNS,
    CrmError,
    CrmExport,
    SkippedRow,
    opportunity_frame,
    stage_frame,
)

__all__ = [
    "FORMATS",
    "OPPORTUNITY_COLUMNS",
    "STAGE_COLUMNS",
    "CrmError",
    "CrmExport",
    "Format",
    "OutcomeRule",
    "SkippedRow",
    "format_named",
    "is_founder",
    "is_rep",
    "model_source",
    "model_stage",
    "opportunity_frame",
    "read_export",
    "stage_frame",
]
