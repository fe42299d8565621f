"""Reading CRM exports (generic, Salesforce, HubSpot, Pipedrive) and writing them back."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, script
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario.crm import (
    FORMATS,
    OPPORTUNITY_COLUMNS,
    STAGE_COLUMNS,
    CrmError,
    OutcomeRule,
    model_source,
    model_stage,
    opportunity_frame,
    read_export,
    stage_frame,
)
from sim.scenario.crm.rules import DISQUALIFIED_PHRASES, NO_DECISION_PHRASES
from sim.views.crm_export import write_export
from sim.vocabulary import CrmOutcome, Source, Stage

GENERIC = """\
opportunity_id,created_date,closed_date,outcome,lost_reason,amount,owner,source,partner,contacts,stage
A1,2024-01-05,2024-03-01,won,,"12,500.50",ana,Web,,4,negotiating
A2,2024-01-10,2024-02-01,lost,Lost to competitor,8000,bo,Trade show,,,deciding
A3,2024-02-01,2024-02-20,no_decision,Went dark,9000,ana,Referral,acme,6,stallers
A4,2024-02-15,,open,,20000,bo,Founder network,,5,nay_sayers
"""
HISTORY = """\
opportunity_id,stage,entered_date
A4,qualifying,2024-02-15
A4,stallers,2024-03-01
A4,nay_sayers,2024-04-02
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_generic_export_reads_into_the_normalised_tables(tmp_path):
    export = read_export(
        write(tmp_path, "opps.csv", GENERIC), stages=write(tmp_path, "history.csv", HISTORY)
    )
    table = export.opportunities
    assert list(table.columns) == list(OPPORTUNITY_COLUMNS)
    assert table.dtypes.astype(str).tolist() == [
        "object",
        "datetime64[ns]",
        "datetime64[ns]",
        "object",
        "object",
        "float64",
        "object",
        "object",
        "object",
        "float64",
        "object",
    ]
    assert table["outcome"].tolist() == ["won", "lost", "no_decision", "open"]
    assert table["amount"].tolist() == [12_500.5, 8000, 9000, 20000]
    assert table["contacts"].isna().tolist() == [False, True, False, False]
    assert table["partner"].tolist() == ["", "", "acme", ""]
    assert pd.isna(table["closed_date"].iloc[3])
    assert export.stages is not None and list(export.stages.columns) == list(STAGE_COLUMNS)
    assert export.stages["stage"].tolist() == ["qualifying", "stallers", "nay_sayers"]
    assert export.as_of == pd.Timestamp("2024-04-02")  # the latest date: a stage entered
    assert export.format == "generic" and export.skipped == ()


SALESFORCE = """\
Id,CreatedDate,CloseDate,IsClosed,IsWon,StageName,Amount,OwnerId,LeadSource,Loss_Reason__c
006A,2024-03-15T10:00:00.000+0000,2024-05-02,true,true,Closed Won,50000,005X,Web,
006B,3/20/2024 9:30 AM,5/1/2024,TRUE,FALSE,Closed Lost,40000,005Y,Partner,Went dark after demo
006C,2024-04-01T08:00:00.000+0000,2024-04-20,true,false,Closed Lost,,005X,Other,Not a fit
006D,2024-04-03T08:00:00.000+0000,2024-06-30,false,false,Proposal/Price Quote,30000,005Y,,
006E,2024-04-05T08:00:00.000+0000,2024-04-25,1,0,Closed Lost,10000,005Y,,Price too high
"""
SALESFORCE_HISTORY = """\
OpportunityId,StageName,Amount,CreatedDate
006D,Prospecting,30000,2024-04-03T08:00:00.000+0000
006D,Prospecting,35000,2024-04-04T08:00:00.000+0000
006D,Needs Analysis,35000,2024-04-10T08:00:00.000+0000
006D,Proposal/Price Quote,30000,2024-05-01T08:00:00.000+0000
"""
SALESFORCE_CONTACTS = """\
OpportunityId,ContactId,Role
006A,003a,Decision Maker
006A,003b,Evaluator
006A,003b,Influencer
006D,003c,Economic Buyer
"""


def test_a_salesforce_export_reads_outcomes_from_flags_and_lost_reasons(tmp_path):
    export = read_export(
        write(tmp_path, "Opportunity.csv", SALESFORCE),
        "salesforce",
        stages=write(tmp_path, "OpportunityHistory.csv", SALESFORCE_HISTORY),
        contacts=write(tmp_path, "OpportunityContactRole.csv", SALESFORCE_CONTACTS),
    )
    table = export.opportunities.set_index("opportunity_id")
    assert table["outcome"].tolist() == ["won", "no_decision", "disqualified", "open", "lost"]
    assert table.loc["006B", "created_date"] == pd.Timestamp("2024-03-20")
    assert pd.isna(table.loc["006D", "closed_date"])  # an open deal's CloseDate is expected
    assert math.isnan(table.loc["006C", "amount"])
    assert table["contacts"].fillna(0).tolist() == [2, 0, 0, 1, 0]  # each contact once
    assert table["lost_reason"].tolist()[:2] == ["", "Went dark after demo"]
    assert export.stages is not None  # a row per change: one per stage entered
    assert export.stages["stage"].tolist() == [
        "Prospecting",
        "Needs Analysis",
        "Proposal/Price Quote",
    ]
    assert model_stage(table.loc["006D", "stage"], "salesforce") == Stage.DECIDING
    assert export.as_of == pd.Timestamp("2024-05-02")  # the expected close is no date seen
    assert len(export.files) == 3


def test_a_salesforce_lost_reason_column_of_the_orgs_own_is_named(tmp_path):
    text = SALESFORCE.replace("Loss_Reason__c", "Why_Lost__c")
    with pytest.raises(CrmError, match="no column 'Loss_Reason__c'"):
        read_export(
            write(tmp_path, "o.csv", text), "salesforce", lost_reason_column="Loss_Reason__c"
        )
    export = read_export(
        write(tmp_path, "o.csv", text), "salesforce", lost_reason_column="why_lost__c"
    )
    assert export.opportunities["outcome"].tolist()[1] == "no_decision"


HUBSPOT = """\
hs_object_id,createdate,closedate,dealstage,amount,hubspot_owner_id,hs_is_closed,hs_is_closed_won,closed_lost_reason,num_associated_contacts,hs_analytics_source,hs_date_entered_appointmentscheduled,hs_date_entered_contractsent
101,1710496800000,2024-04-01T12:00:00.000Z,closedwon,5000,77,true,true,,3,ORGANIC_SEARCH,1710496800000,1711000000000
102,2024-03-20T08:00:00Z,,contractsent,7000,78,false,,,,PAID_SEARCH,1710921600000,1711929600000
103,2024-03-21,2024-03-30,closedlost,100,77,true,false,No budget this year,1,OFFLINE,,
"""


def test_a_hubspot_export_reads_epoch_milliseconds_and_its_date_entered_columns(tmp_path):
    export = read_export(write(tmp_path, "deals.csv", HUBSPOT), "hubspot")
    table = export.opportunities
    assert table["created_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-03-15",
        "2024-03-20",
        "2024-03-21",
    ]
    assert table["outcome"].tolist() == ["won", "open", "no_decision"]
    assert table["contacts"].fillna(-1).tolist() == [3, -1, 1]
    assert [model_source(text) for text in table["source"]] == [
        Source.INBOUND_WEB,
        Source.MARKETING,
        Source.MARKETING,
    ]
    assert export.stages is not None
    assert export.stages.values.tolist() == [
        ["101", "appointmentscheduled", pd.Timestamp("2024-03-15")],
        ["101", "contractsent", pd.Timestamp("2024-03-21")],
        ["102", "appointmentscheduled", pd.Timestamp("2024-03-20")],
        ["102", "contractsent", pd.Timestamp("2024-04-01")],
    ]
    assert model_stage("contractsent", "hubspot") == Stage.NEGOTIATING


PIPEDRIVE = "".join(
    [
        "id,title,value,status,stage,add_time,won_time,lost_time,close_time,lost_reason,"
        "user_id,origin\n",
        "1,Acme,1000,won,Negotiations Started,2024-01-02 09:00:00,2024-02-01 10:00:00,,"
        "2024-02-01 10:00:00,,11,Website\n",
        "2,Beta,2000,lost,Demo Scheduled,2024-01-03 09:00:00,,2024-01-20 10:00:00,"
        "2024-01-20 10:00:00,No response,12,\n",
        "3,Gamma,3000,deleted,Qualified,2024-01-04 09:00:00,,,,,11,\n",
        "4,Delta,4000,open,Proposal Made,2024-01-05 09:00:00,,,,,12,Partner\n",
        "5,Eps,500,lost,Qualified,2024-01-06 09:00:00,,,2024-01-07 09:00:00,Competitor,11,\n",
    ]
)


def test_a_pipedrive_export_skips_deleted_deals_and_reports_them(tmp_path):
    export = read_export(write(tmp_path, "deals.csv", PIPEDRIVE), "pipedrive")
    table = export.opportunities
    assert table["opportunity_id"].tolist() == ["1", "2", "4", "5"]
    assert table["outcome"].tolist() == ["won", "no_decision", "open", "lost"]
    assert table["owner"].tolist() == ["11", "12", "12", "11"]  # user_id, when no owner_id
    assert table["closed_date"].iloc[3] == pd.Timestamp("2024-01-07")  # close_time, if no lost_time
    assert [model_stage(name, "pipedrive") for name in table["stage"]] == [
        Stage.NEGOTIATING,
        Stage.STALLERS,
        Stage.DECIDING,
        Stage.QUALIFYING,
    ]
    assert export.stages is None
    (skipped,) = export.skipped
    assert (skipped.row, skipped.column) == (4, "status") and "deleted" in skipped.reason


def test_an_earlier_as_of_date_reopens_later_closes_and_leaves_out_later_deals(tmp_path):
    export = read_export(
        write(tmp_path, "opps.csv", GENERIC),
        stages=write(tmp_path, "history.csv", HISTORY),
        as_of="2024-02-25",
    )
    table = export.opportunities.set_index("opportunity_id")
    assert list(table.index) == ["A1", "A2", "A3", "A4"]
    assert table.loc["A1", "outcome"] == "open" and pd.isna(table.loc["A1", "closed_date"])
    assert table.loc["A4", "stage"] == "qualifying"  # it moved on after the date
    assert export.stages is not None and export.stages["stage"].tolist() == ["qualifying"]
    earlier = read_export(write(tmp_path, "opps.csv", GENERIC), as_of=pd.Timestamp("2024-01-31"))
    assert earlier.opportunities["opportunity_id"].tolist() == ["A1", "A2"]
    assert earlier.opportunities["outcome"].tolist() == ["open", "open"]
    assert [(row.row, row.column) for row in earlier.skipped] == [
        (4, "created_date"),
        (5, "created_date"),
    ]
    with pytest.raises(CrmError, match="every row was skipped"):
        read_export(write(tmp_path, "opps.csv", GENERIC), as_of="2023-12-31")
    with pytest.raises(CrmError, match="as-of date 'soon' is not a date"):
        read_export(write(tmp_path, "opps.csv", GENERIC), as_of="soon")


def _replaced(old: str, new: str) -> str:
    assert old in GENERIC
    return GENERIC.replace(old, new, 1)


BAD = {
    "a missing column": (
        GENERIC.replace(",outcome,", ",result,", 1),
        "opps.csv: no column 'outcome'; allowed: a header with the columns",
    ),
    "an empty file": ("", "opps.csv: the file is empty"),
    "no data rows": (GENERIC.splitlines()[0] + "\n", "opps.csv: no data rows"),
    "an unparseable date": (
        _replaced("2024-01-10", "10.01.2024"),
        "opps.csv: row 3, column created_date: '10.01.2024' is not a date; allowed: ISO 8601",
    ),
    "closed before created": (
        _replaced("2024-02-20", "2024-01-20"),
        "row 4, column closed_date: '2024-01-20' is before the created date 2024-02-01",
    ),
    "a duplicate id": (
        _replaced("A3,", "A1,"),
        "row 4, column opportunity_id: 'A1' is row 2's id too; allowed: unique ids",
    ),
    "an unknown outcome": (
        _replaced("no_decision", "stalled"),
        "row 4, column outcome: 'stalled' is not an outcome; allowed: won, lost, no_decision",
    ),
    "a negative amount": (
        _replaced("8000", "-8000"),
        "row 3, column amount: '-8000' is negative; allowed: a number of at least 0",
    ),
    "a closed deal without a close date": (
        _replaced("2024-02-01,lost", ",lost"),
        "row 3, column closed_date: '' is empty for a closed deal",
    ),
    "an open deal with a close date": (
        _replaced("2024-02-15,,open", "2024-02-15,2024-03-01,open"),
        "row 5, column closed_date: '2024-03-01' is given for an open deal; allowed: empty",
    ),
    "a row longer than the header": (
        GENERIC + "A9,2024-01-05,,open,,1,ana,,,,,extra\n",
        "row 6 has 12 values but the header has 11 columns",
    ),
    "a date out of range": (
        _replaced("2024-01-05", "1024-01-05"),
        "row 2, column created_date: '1024-01-05' is a date in 1024, outside 1900-2199",
    ),
}


@pytest.mark.parametrize("text, message", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_message_naming_file_row_column_value_and_what_is_allowed(
    tmp_path, text, message
):
    with pytest.raises(CrmError) as raised:
        read_export(write(tmp_path, "opps.csv", text))
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_bad_rows_can_be_skipped_and_reported_instead(tmp_path):
    text = _replaced("8000", "-8000").replace("2024-02-20", "2024-01-20")
    export = read_export(write(tmp_path, "opps.csv", text), skip_bad_rows=True)
    assert export.opportunities["opportunity_id"].tolist() == ["A1", "A4"]
    assert [(row.file, row.row, row.column) for row in export.skipped] == [
        (str(tmp_path / "opps.csv"), 3, "amount"),
        (str(tmp_path / "opps.csv"), 4, "closed_date"),
    ]
    header = GENERIC.splitlines()[0]
    only_bad = f"{header}\nZ,2024-01-01,,maybe,,1,a,,,,\n"
    with pytest.raises(
        CrmError, match=r"every row was skipped \(1\); the first: row 2, column outcome"
    ):
        read_export(write(tmp_path, "opps.csv", only_bad), skip_bad_rows=True)
    with pytest.raises(CrmError, match="no column"):  # a file's problem is never skipped
        read_export(
            write(tmp_path, "opps.csv", GENERIC.replace("owner", "who")), skip_bad_rows=True
        )


def test_other_problems_name_the_format_file_or_flag(tmp_path):
    with pytest.raises(CrmError, match="unknown CRM format 'sap'; allowed: generic, salesforce"):
        read_export(write(tmp_path, "o.csv", GENERIC), "sap")
    with pytest.raises(CrmError, match="o.csv: no such file"):
        read_export(tmp_path / "missing" / "o.csv")
    text = SALESFORCE.replace(",true,true,", ",maybe,true,")
    with pytest.raises(CrmError, match="row 2, column IsClosed: 'maybe' is not true or false"):
        read_export(write(tmp_path, "o.csv", text), "salesforce")
    with pytest.raises(CrmError, match="row 4, column status: 'gone' is not a status"):
        read_export(write(tmp_path, "d.csv", PIPEDRIVE.replace("deleted", "gone")), "pipedrive")
    with pytest.raises(CrmError, match="hubspot exports have no stage history file"):
        read_export(write(tmp_path, "d.csv", HUBSPOT), "hubspot", stages=tmp_path / "d.csv")
    with pytest.raises(CrmError, match=r"byte b'\\x81' at offset 3 is neither UTF-8 nor Windows"):
        read_export(write(tmp_path, "x.csv", "abc\x81", encoding="latin-1"))


def test_excel_exports_in_windows_1252_with_semicolons_are_read(tmp_path):
    text = GENERIC.replace("Trade show", "Salon Paris–Nord café").replace(",", ";")
    text = text.replace('"12;500.50"', "12500.50")
    export = read_export(write(tmp_path, "opps.csv", text, encoding="cp1252"))
    assert export.opportunities["source"].iloc[1] == "Salon Paris–Nord café"
    with_bom = read_export(write(tmp_path, "bom.csv", "\ufeff" + GENERIC))
    assert with_bom.opportunities["opportunity_id"].iloc[0] == "A1"


def test_stage_names_map_to_model_stages_with_overrides_first():
    assert model_stage("Qualification", "salesforce") == Stage.QUALIFYING
    assert model_stage("perception analysis", "salesforce") == Stage.NAY_SAYERS
    assert model_stage("Demo", "salesforce") is None
    assert model_stage("Demo", "salesforce", {"demo": "stallers"}) == Stage.STALLERS
    assert model_stage("Qualification", "salesforce", {"Qualification": "stallers"}) == (
        Stage.STALLERS
    )
    assert model_stage("nay_sayers", "hubspot") == Stage.NAY_SAYERS  # a model key, anywhere
    with pytest.raises(CrmError, match="stage override 'Demo': 'demos' is not a model stage"):
        model_stage("Demo", "pipedrive", {"Demo": "demos"})
    for chosen in FORMATS.values():  # each format writes each stage as a name it reads back
        for stage in Stage:
            assert model_stage(chosen.stage_name(stage), chosen.name) == stage


def test_the_outcome_rule_and_source_rule_read_phrases_in_any_case():
    rule = OutcomeRule()
    assert rule.outcome("Customer went DARK") == CrmOutcome.NO_DECISION
    assert rule.outcome("Disqualified: too small") == CrmOutcome.DISQUALIFIED
    assert rule.outcome("Price") == CrmOutcome.LOST
    assert rule.outcome("timing; not a fit") == CrmOutcome.NO_DECISION  # no decision first
    mine = OutcomeRule(no_decision=("parked",), disqualified=())
    assert mine.outcome("Parked until Q3") == CrmOutcome.NO_DECISION
    assert mine.outcome("Went dark") == CrmOutcome.LOST
    assert len(NO_DECISION_PHRASES) > 10 and len(DISQUALIFIED_PHRASES) > 5
    assert model_source("Partner website") == Source.PARTNER
    assert model_source("Trade show", partner="acme") == Source.PARTNER
    assert model_source("CEO personal intro") == Source.FOUNDER_NETWORK
    assert model_source("SEO blog") == Source.INBOUND_WEB
    assert model_source("") == Source.MARKETING


# Lost reasons each outcome can have so that vendor formats (which only say "lost") tell
# it back: the default rule reads each as its outcome.
REASONS = {
    "won": [""],
    "open": [""],
    "lost": ["Lost to competitor", 'Price, "too high"'],
    "no_decision": ["Went dark", "No decision"],
    "disqualified": ["Not a fit"],
}
texts = st.text(alphabet="ab ,\"'-é1", max_size=6).map(str.strip)
STAGE_NAMES = [*Stage.keys(), "Demo", "Closed Won"]


@st.composite
def exports(draw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A random normalised export whose outcomes every format can carry."""
    count = draw(st.integers(1, 6))
    ids = draw(st.lists(texts.filter(bool), min_size=count, max_size=count, unique=True))
    rows, history = [], []
    for ident in ids:
        created = pd.Timestamp("2021-01-01") + pd.Timedelta(days=draw(st.integers(0, 900)))
        outcome = draw(st.sampled_from(list(REASONS)))
        closed = created + pd.Timedelta(days=draw(st.integers(0, 400)))
        stages = draw(st.lists(st.sampled_from(STAGE_NAMES[:-1]), max_size=4, unique=True))
        entered = created
        for stage in stages:
            entered += pd.Timedelta(days=draw(st.integers(0, 30)))
            history.append((ident, stage, entered))
        rows.append(
            {
                "opportunity_id": ident,
                "created_date": created,
                "closed_date": pd.NaT if outcome == "open" else closed,
                "outcome": outcome,
                "lost_reason": draw(st.sampled_from(REASONS[outcome])),
                "amount": draw(st.one_of(st.just(math.nan), st.floats(0, 1e7))),
                "owner": draw(texts),
                "source": draw(texts),
                "partner": draw(texts),
                "contacts": draw(st.one_of(st.just(math.nan), st.integers(1, 12).map(float))),
                "stage": draw(
                    st.sampled_from(STAGE_NAMES if outcome != "open" else STAGE_NAMES[:-1])
                ),
            }
        )
    opportunities = opportunity_frame(
        {name: [row[name] for row in rows] for name in OPPORTUNITY_COLUMNS}
    )
    stages = stage_frame(
        {name: [entry[i] for entry in history] for i, name in enumerate(STAGE_COLUMNS)}
    )
    return opportunities, stages


def _written(chosen: str, name: str) -> str:
    """How a format writes a stage: a model stage key as its own name for the stage."""
    keys = Stage.keys()
    return FORMATS[chosen].stage_name(Stage.from_key(name)) if name in keys else name


def expected_stage(chosen: str, row: pd.Series) -> str:
    """The stage a format writes for a deal, and reads back."""
    closed = FORMATS[chosen].closed_stages
    if row["outcome"] != "open" and closed:
        return closed[CrmOutcome.WON if row["outcome"] == "won" else CrmOutcome.LOST]
    return _written(chosen, row["stage"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(exports())
def test_each_format_reads_back_what_was_written(tmp_path_factory, export):
    opportunities, stages = export
    for chosen in FORMATS:
        folder = tmp_path_factory.mktemp(chosen)
        write_export(opportunities, stages, chosen, folder)
        back = read_export(folder, chosen)
        table = back.opportunities
        for column in (
            "opportunity_id",
            "created_date",
            "outcome",
            "lost_reason",
            "owner",
            "source",
        ):
            assert table[column].tolist() == opportunities[column].tolist(), (chosen, column)
        for column in ("closed_date", "amount", "contacts"):
            pd.testing.assert_series_equal(table[column], opportunities[column], obj=chosen)
        partner = opportunities["partner"] if chosen == "generic" else [""] * len(table)
        assert table["partner"].tolist() == list(partner)
        assert table["stage"].tolist() == [
            expected_stage(chosen, row) for _, row in opportunities.iterrows()
        ]
        dates = [*opportunities["created_date"], *opportunities["closed_date"].dropna()]
        if chosen != "pipedrive":  # Pipedrive's deals carry no stage history
            assert back.stages is not None
            written = stage_frame(
                stages.assign(stage=[_written(chosen, name) for name in stages["stage"]])
            )
            key = ["opportunity_id", "entered_date", "stage"]
            pd.testing.assert_frame_equal(
                back.stages.sort_values(key, ignore_index=True),
                written.sort_values(key, ignore_index=True),
                obj=chosen,
            )
            dates += list(stages["entered_date"])
        assert back.as_of == max(dates), chosen


def test_writing_never_overwrites_unless_forced_and_removes_what_it_replaced(tmp_path):
    export = read_export(
        write(tmp_path, "o.csv", SALESFORCE),
        "salesforce",
        contacts=write(tmp_path, "c.csv", SALESFORCE_CONTACTS),
    )
    folder = tmp_path / "out"
    paths = write_export(export.opportunities, None, "salesforce", folder)
    assert [path.name for path in paths] == ["Opportunity.csv", "OpportunityContactRole.csv"]
    with pytest.raises(CrmError, match=r"Opportunity.csv exists; allowed: .* \(or force"):
        write_export(export.opportunities, None, "salesforce", folder)
    no_contacts = export.opportunities.assign(contacts=math.nan)
    write_export(no_contacts, None, "salesforce", folder, force=True)
    assert sorted(path.name for path in folder.iterdir()) == ["Opportunity.csv"]
    assert not list(folder.glob(".*"))  # no temporary file left behind


def test_the_synthetic_export_script_writes_every_format_its_future_and_truth(tmp_path, capsys):
    synthetic = script("synthetic_crm")
    scenario = write(
        tmp_path,
        "short.toml",
        f'[scenario]\nbase = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n'
        "warmup_days = 200\nhorizon_days = 300\n",
    )
    out = tmp_path / "crm"
    args = [
        str(scenario),
        "--format",
        "all",
        "--out",
        str(out),
        "--years",
        "1",
        "--future-days",
        "60",
    ]
    assert synthetic.main([*args, "--set", "leads.arrivals_per_month=12"]) == 0
    truth = json.loads((out / "truth.json").read_text())
    assert truth["scenario"]["leads"]["arrivals_per_month"] == 12
    assert truth["scenario"]["scenario"]["horizon_days"] == pytest.approx(200 + 365.25 + 60)
    assert (truth["seed"], truth["as_of"]) == (1, "2024-01-01")
    exports = {
        chosen: read_export(out / chosen, chosen, as_of=truth["as_of"]) for chosen in FORMATS
    }
    generic = exports["generic"].opportunities
    assert 100 < len(generic) < 400  # 12 leads a month for two years (one of history)
    assert generic["created_date"].min() >= pd.Timestamp("2022-01-01")
    for export in exports.values():
        assert export.opportunities["opportunity_id"].tolist() == generic["opportunity_id"].tolist()
        assert export.opportunities["created_date"].tolist() == generic["created_date"].tolist()
    future = pd.read_csv(out / "future.csv", keep_default_na=False)
    assert list(future.columns) == [
        "opportunity_id",
        "created_date",
        "closed_date",
        "outcome",
        "amount",
    ]
    still_open = set(generic.loc[generic["outcome"] == "open", "opportunity_id"])
    assert still_open <= set(future["opportunity_id"])
    assert (future["created_date"] <= "2024-03-01").all()
    assert synthetic.main(args) == 2  # never over an earlier export
    assert re.search(r"truth.json|opportunities.csv exists", capsys.readouterr().err)


def test_the_docs_examples_are_what_reading_does(tmp_path, monkeypatch):
    text = (ROOT / "docs" / "crm-import.md").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "Opportunity.csv", SALESFORCE)
    write(tmp_path, "OpportunityHistory.csv", SALESFORCE_HISTORY)
    write(tmp_path, "OpportunityContactRole.csv", SALESFORCE_CONTACTS)
    example = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert example is not None
    namespace: dict = {}
    exec(example.group(1), namespace)
    assert len(namespace["export"].opportunities) == 5
    message = re.search(r"```\n(opps\.csv: row .*)\n```", text)
    assert message is not None
    bad = _replaced("2024-01-10", "10.01.2024")
    with pytest.raises(CrmError) as raised:
        read_export(write(Path(), "opps.csv", bad))
    assert str(raised.value) == message.group(1)
