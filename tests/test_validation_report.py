"""docs/validation.md: the script writes every target, theory checks pass, the page is current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from sim.analysis.targets import TARGETS
from sim.scenario.schema import FITTED, SECTIONS

PAGE = ROOT / "docs" / "validation.md"


def section(text: str, heading: str) -> str:
    """The text of the '## ' section whose heading starts with `heading`."""
    start = text.index(f"## {heading}")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else len(text)]


def theory_verdicts(text: str) -> list[str]:
    """The verdict column (last) of the theory checks' table."""
    rows = [line for line in section(text, "1. Theory").splitlines() if line.startswith("| ")]
    return [row.strip("| ").rsplit("|", 1)[-1].strip() for row in rows[1:]]  # skip the header


def test_the_committed_page_mentions_every_target():
    # Adding a target without regenerating the page (python scripts/validation_report.py) fails.
    text = PAGE.read_text(encoding="utf-8")
    missing = [t.name for t in TARGETS if f"`{t.name}`" not in text or t.figure not in text]
    assert missing == []


@pytest.mark.slow
def test_the_script_writes_every_target_and_the_theory_checks_pass(tmp_path: Path):
    out = tmp_path / "validation.md"
    subprocess.run(
        [sys.executable, "scripts/validation_report.py", "--replications", "4", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    text = out.read_text(encoding="utf-8")
    assert (tmp_path / "img" / "committee_size.png").stat().st_size > 0
    for target in TARGETS:
        assert f"`{target.name}`" in text
        assert target.figure in text
    verdicts = theory_verdicts(text)
    assert len(verdicts) >= 10
    assert set(verdicts) == {"pass"}
    for heading in ("2. Calibration", "3. Validation", "4. Committee", "5. No decision", "6. Mark"):
        assert section(text, heading)


def test_the_fitted_defaults_are_the_calibrations():
    """Every default whose source is the fit equals the value docs/calibration.json records,
    and the fit records no parameter whose default does not say it was fitted."""
    fitted = json.loads((ROOT / "docs" / "calibration.json").read_text())["parameters"]
    said_fitted = {
        f"{section}.{name}": field.default
        for section, model in SECTIONS.items()
        for name, field in model.model_fields.items()
        if (field.json_schema_extra or {}).get("source") == FITTED  # type: ignore[union-attr]
    }
    assert said_fitted == {key: values["fitted"] for key, values in fitted.items()}
