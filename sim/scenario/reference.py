"""The parameter reference: allowed values and the table in docs/model.md, read from the schema."""

from __future__ import annotations

from .schema import LISTS, SECTIONS


def allowed_values(field) -> str:
    """'number from 0 to 1' and the like, read from the field's constraints."""
    kind = {int: "integer", float: "number", str: "text"}[field.annotation]
    bounds = {type(m).__name__: m for m in field.metadata}
    lower = next(
        (
            f"{op} {getattr(bounds[name], attr):g}"
            for name, attr, op in (("Ge", "ge", "≥"), ("Gt", "gt", ">"))
            if name in bounds
        ),
        None,
    )
    upper = f"≤ {bounds['Le'].le:g}" if "Le" in bounds else None
    parts = [p for p in (lower, upper) if p]
    unbounded = ", or inf" if kind == "number" and upper is None else ""
    return kind + (" " + " and ".join(parts) if parts else "") + unbounded


def parameter_rows() -> list[dict[str, str]]:
    """One row per parameter for the reference table in docs/model.md."""
    rows = []
    tables = [(section, model) for section, model in SECTIONS.items()]
    tables += [(f"{name}[]", model) for name, model in LISTS.items()]
    for section, model in tables:
        for key, field in model.model_fields.items():
            extra = field.json_schema_extra or {}
            default = field.default
            rows.append(
                {
                    "key": f"{section}.{key}",
                    "meaning": field.description or "",
                    "unit": extra.get("unit", ""),
                    "default": f"{default:g}"
                    if isinstance(default, (int, float))
                    else repr(default),
                    "allowed": allowed_values(field),
                    "source": extra.get("source", ""),
                }
            )
    return rows


def parameter_table() -> str:
    """The Markdown parameter table, generated from the schema."""
    lines = [
        "| key | meaning | unit | default | allowed | source of default |",
        "|---|---|---|---|---|---|",
    ]
    for row in parameter_rows():
        cells = [
            f"`{row['key']}`",
            row["meaning"],
            row["unit"],
            row["default"],
            row["allowed"],
            row["source"],
        ]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
