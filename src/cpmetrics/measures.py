"""The measures cpmetrics computes: stable ids, labels, units and definitions.

Ids are public (CSV/JSON column values) and are never renamed. The definitions follow the DfE
"Characteristics of children in need" tables; docs/measures.md gives each ruling and source.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    unit: str  # "children", "plans", "families", "%" or "per 10,000"
    kind: str  # "snapshot" (at the reference date) or "flow" (over the period)
    numerator: str
    denominator: str
    source: str
    short: str = ""  # a few words, for tables with many columns
    needs: str = ""  # a column the extract must have for the measure to be defined

    @property
    def is_count(self) -> bool:
        return self.unit in ("children", "plans", "families")


MEASURES: tuple[Measure, ...] = (
    Measure(
        "children_on_plan",
        "Children on a child protection plan",
        "children",
        "snapshot",
        "distinct children with a plan open at the reference date (start <= R, no end or end > R)",
        "-",
        "DfE table D1, children on a plan at 31 March",
        short="On a plan",
    ),
    Measure(
        "rate_per_10k",
        "Rate per 10,000 children aged 0-17",
        "per 10,000",
        "snapshot",
        "children on a plan at the reference date",
        "population aged 0-17 (the value is numerator x 10,000 / denominator)",
        "DfE table A2/D1; ONS mid-year estimate for year Y-1 for the year ending 31 March Y",
        short="Rate per 10k",
    ),
    Measure(
        "open_2y_plus_pct",
        "On a plan for 2 years or more (% of children on a plan)",
        "%",
        "snapshot",
        "children on a plan at R whose current plan started 2 or more calendar years before R",
        "children on a plan at R",
        "DfE table D5, '2 years and over'",
        short="On plan 2y+ %",
    ),
    Measure(
        "ceased_2y_plus_pct",
        "Plans ended that had lasted 2 years or more (%)",
        "%",
        "flow",
        "plans ending in the period that had lasted 2 or more calendar years",
        "plans ending in the period",
        "DfE tables A2/D7; former NI 64 (plan-based)",
        short="Ended after 2y+ %",
    ),
    Measure(
        "repeat_plan_pct",
        "Plans started that were a second or subsequent plan (%)",
        "%",
        "flow",
        "plans starting in the period for a child with an earlier plan in the extract, "
        "or with a previous-plans count above 0",
        "plans starting in the period",
        "DfE table D3 (plan-based); LG Inform / former NI 65",
        short="Repeat plans %",
    ),
    Measure(
        "plans_started",
        "Plans started",
        "plans",
        "flow",
        "plans whose start date falls in the period",
        "-",
        "DfE table D1",
        short="Plans started",
    ),
    Measure(
        "plans_ended",
        "Plans ended",
        "plans",
        "flow",
        "plans whose end date falls in the period",
        "-",
        "DfE table D1",
        short="Plans ended",
    ),
    Measure(
        "children_started",
        "Children who started a plan",
        "children",
        "flow",
        "distinct children with a plan starting in the period",
        "-",
        "DfE table D1",
        short="Children started",
    ),
    Measure(
        "children_ended",
        "Children whose plan ended",
        "children",
        "flow",
        "distinct children with a plan ending in the period",
        "-",
        "DfE table D1",
        short="Children ended",
    ),
    Measure(
        "plans_any_point",
        "Plans open at any point in the period",
        "plans",
        "flow",
        "plans with start <= the period's end and no end or end >= the period's start "
        "(open at the day before the period, plus started in it)",
        "-",
        "DfE table D1, 'at any point during the year'",
        short="Plans any time",
    ),
    Measure(
        "children_any_point",
        "Children on a plan at any point in the period",
        "children",
        "flow",
        "distinct children with a plan open at any point in the period",
        "-",
        "DfE table D1, 'at any point during the year'",
        short="Children any time",
    ),
    Measure(
        "open_repeat_pct",
        "Children on a second or subsequent plan (%)",
        "%",
        "snapshot",
        "children on a plan at R whose current plan is a second or subsequent plan "
        "(the repeat rule of repeat_plan_pct)",
        "children on a plan at R",
        "the cohort figure of councils' reports (Trafford: '25.5%, equating to 70 children')",
        short="Cohort repeat %",
    ),
    Measure(
        "families_on_plan",
        "Families with a child on a plan",
        "families",
        "snapshot",
        "distinct family ids among the children on a plan at R",
        "-",
        "councils' reports: the sibling groups behind a figure",
        short="Families on plan",
        needs="family_id",
    ),
    Measure(
        "families_open_2y_plus",
        "Families with a child on a plan for 2 years or more",
        "families",
        "snapshot",
        "distinct family ids among the children on a plan at R for 2 years or more",
        "-",
        "councils' reports: the families behind the 2-year figure",
        short="Families 2y+",
        needs="family_id",
    ),
    Measure(
        "reviews_in_time_pct",
        "Children on a plan 3 months or more reviewed within timescales (%)",
        "%",
        "snapshot",
        "of those, children whose every review by R was held by its due date (the first 3 "
        "months after the start, each later one 6 months after the one before) and whose next "
        "review is not overdue at R",
        "children on a plan at R whose current plan started on or before R minus 3 months",
        "DfE table D6 (former NI 67); Working Together timescales; our ruling, docs/measures.md",
        short="Reviews in time %",
        needs="review_dates",
    ),
    Measure(
        "review_not_overdue_pct",
        "Children on a plan 3 months or more whose review is not overdue (%)",
        "%",
        "snapshot",
        "of those, children whose latest review was held after the start and less than 6 months "
        "before R (due on R is not overdue), or, with none, whose plan started 3 months or less "
        "before R. Not D6: only the latest review is known (Ofsted Annex A List 7)",
        "children on a plan at R whose current plan started on or before R minus 3 months",
        "Ofsted Annex A List 7, 'Date of latest review conference'; docs/measures.md",
        short="Review not overdue %",
        needs="latest_review",
    ),
    Measure(
        "visits_in_time_pct",
        "Children on a plan seen within the visit interval (%)",
        "%",
        "snapshot",
        "of those, children visited within the interval ending on R (default 10 working days, "
        "England and Wales bank holidays excluded; visit_interval in the config)",
        "children on a plan at R who had been on it for at least the interval",
        "no national definition: councils' reports (Haringey OP380); docs/measures.md",
        short="Visits in time %",
        needs="visits",
    ),
    Measure(
        "visits_seen_alone_pct",
        "Visits at which the child was seen alone (%)",
        "%",
        "flow",
        "visits in the period at which the child was seen alone",
        "visits in the period at which it was recorded whether the child was seen alone",
        "Ofsted Annex A List 7 ('Was the child seen alone?'); the SSD's cppv_cp_visit_seen_alone",
        short="Seen alone %",
        needs="seen_alone",
    ),
    Measure(
        "transfers_in",
        "Plans started as a transfer in from another authority",
        "plans",
        "flow",
        "plans started in the period whose start reason is a transfer in (configurable)",
        "-",
        "councils' reports (Haringey Op421: children moving to the authority on a plan)",
        short="Transfers in",
        needs="start_reason",
    ),
    Measure(
        "transfers_out",
        "Plans ended by a transfer out to another authority",
        "plans",
        "flow",
        "plans ended in the period whose end reason is a transfer out (configurable)",
        "-",
        "councils' reports (Haringey Op422: children moving out on a plan)",
        short="Transfers out",
        needs="end_reason",
    ),
)
BY_ID: dict[str, Measure] = {m.id: m for m in MEASURES}

# What a measure's ``needs`` is, said where a user can act on it.
NEEDS_SAID = {
    "family_id": "a family id column",
    "review_dates": "review dates (a census return's, a review_dates column, or --reviews FILE)",
    "latest_review": "Annex A's 'Date of latest review conference' column",
    "visits": "visit records (--visits FILE, or Annex A's 'Date of the Last Statutory Visit')",
    "seen_alone": "visits recording whether the child was seen alone (--visits FILE)",
    "start_reason": "a start reason column",
    "end_reason": "an end reason column",
}


def not_defined(measure: str) -> str:
    """Why ``measure`` has no figure for an extract that lacks what it needs."""
    needs = BY_ID[measure].needs
    return f"{measure} is not defined for this extract: it needs {NEEDS_SAID.get(needs, needs)}"
