"""Small cells are hidden: counts of 1-4 persons, figures from fewer than 5, and one more cell
wherever a total would give a hidden one away; the exports carry "<5", never the number."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from borgerservice.analytics import dashboards, exports
from borgerservice.analytics.dashboards import Filters, column, row, suppress, table, total_row

F = Filters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 28))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def simple(counts: dict[str, int]) -> dict:
    columns = [column("label", "Channel", "label"), column("contacts", "Contacts"),
               column("share", "Share", "share", base="contacts", uses=["contacts"])]  # fmt: skip
    grand = sum(counts.values())
    rows = [row(k, k, {"contacts": v, "share": v / grand}) for k, v in counts.items()]
    return table("t", "T", columns, rows, total=total_row(rows, columns, lambda t: {"share": 1.0}))


def shown(t: dict) -> dict:
    return {r["key"]: (r["values"]["contacts"], r["flags"].get("contacts")) for r in t["rows"]}


def test_counts_from_1_to_4_are_hidden_and_the_next_smallest_with_them():
    t = suppress(simple({"a": 3, "b": 40, "c": 12, "d": 0, "e": 100}))
    assert shown(t) == {
        "a": (None, "small"),
        "b": (40, None),
        "c": (None, "secondary"),  # else a = total - b - c - e
        "d": (0, None),  # zero is not hidden, and never chosen as the second cell
        "e": (100, None),
    }
    # The shares go with their counts.
    flags = {r["key"]: r["flags"].get("share") for r in t["rows"]}
    assert flags == {"a": "small", "b": None, "c": "secondary", "d": None, "e": None}
    assert t["total"]["values"]["contacts"] == 155
    assert all("bases" not in r for r in [*t["rows"], t["total"]])


def test_two_small_cells_protect_each_other():
    t = suppress(simple({"a": 2, "b": 4, "c": 50}))
    assert shown(t) == {"a": (None, "small"), "b": (None, "small"), "c": (50, None)}


def test_when_no_other_cell_can_be_hidden_the_total_is():
    t = suppress(simple({"a": 3, "b": 0}))
    assert t["total"]["flags"]["contacts"] in ("small", "secondary")
    assert t["total"]["values"]["contacts"] is None
    # In a row with a total column: the only other cell is 0, so the row total goes.
    columns = [column("label", "Day", "label"), column("x", "X"), column("y", "Y"),
               column("total", "All")]  # fmt: skip
    rows = [row("mon", "mon", {"x": 3, "y": 0, "total": 3}),
            row("tue", "tue", {"x": 8, "y": 9, "total": 17})]  # fmt: skip
    t = suppress(table("g", "G", columns, rows, row_total="total"))
    assert t["rows"][0]["flags"] == {"x": "small", "total": "small"}


def test_a_small_total_is_hidden():
    t = suppress(simple({"a": 2, "b": 1}))
    assert t["total"]["flags"]["contacts"] == "small"


def test_nothing_is_hidden_when_every_count_is_5_or_more():
    t = suppress(simple({"a": 5, "b": 7}))
    assert shown(t) == {"a": (5, None), "b": (7, None)}


def test_rows_and_columns_both_protected():
    """A grid with row totals and a total row: secondary cells in both directions, until no
    row or column has exactly one hidden cell."""
    columns = [column("label", "Day", "label"), column("x", "X"), column("y", "Y"),
               column("total", "All")]  # fmt: skip
    rows = []
    for key, (x, y) in {"mon": (3, 20), "tue": (30, 40), "wed": (10, 9)}.items():
        rows.append(row(key, key, {"x": x, "y": y, "total": x + y}))
    t = suppress(table("g", "G", columns, rows, total=total_row(rows, columns), row_total="total"))
    flags = {r["key"]: {k: r["flags"].get(k) for k in ("x", "y", "total")} for r in t["rows"]}
    # mon.x is small; its row hides mon.y (the only other cell); column x hides wed.x (10),
    # then column y has mon.y hidden alone -> wed.y (9); row wed then has two hidden.
    assert flags["mon"] == {"x": "small", "y": "secondary", "total": None}
    assert flags["wed"] == {"x": "secondary", "y": "secondary", "total": None}
    assert flags["tue"] == {"x": None, "y": None, "total": None}
    for group in (["x", "y"],):
        for r in t["rows"]:
            assert sum(1 for k in group if k in r["flags"]) != 1
    for key in ("x", "y"):
        assert sum(1 for r in t["rows"] if key in r["flags"]) != 1


def test_a_rate_from_fewer_than_5_persons_is_hidden():
    columns = [column("label", "Centre", "label"), column("n", "Answers"),
               column("mean", "Mean", "mean", base="n", uses=["n"])]  # fmt: skip
    t = suppress(table("m", "M", columns, [row("a", "a", {"n": 4, "mean": 4.5}),
                                           row("b", "b", {"n": 5, "mean": 3.2})]))  # fmt: skip
    assert t["rows"][0]["values"] == {"n": None, "mean": None}
    assert t["rows"][1]["values"] == {"n": 5, "mean": 3.2}


def test_a_percentile_from_fewer_than_5_is_hidden_but_a_base_of_5_is_shown():
    columns = [column("label", "Measure", "label"), column("n", "Counted"),
               column("p50", "p50", "seconds", base="n")]  # fmt: skip
    t = suppress(table("d", "D", columns, [row("w", "w", {"n": 3, "p50": 120.0}),
                                           row("s", "s", {"n": 9, "p50": 300.0})]))  # fmt: skip
    assert t["rows"][0]["flags"] == {"n": "small", "p50": "small"}
    assert t["rows"][1]["values"]["p50"] == 300.0


def test_a_share_that_would_give_a_hidden_count_away_is_hidden():
    # 7 contacts, 3 resolved: the rate 3/7 would reveal the 3.
    columns = [column("label", "C", "label"), column("contacts", "Contacts"),
               column("resolved", "Resolved"),
               column("rate", "Rate", "share", base="contacts", uses=["contacts", "resolved"])]  # fmt: skip  # noqa: E501
    t = suppress(
        table("f", "F", columns, [row("p", "p", {"contacts": 7, "resolved": 3, "rate": 3 / 7})])
    )
    assert t["rows"][0]["values"] == {"contacts": 7, "resolved": None, "rate": None}
    assert t["rows"][0]["flags"] == {"resolved": "small", "rate": "secondary"}


def test_a_panel_is_suppressed_table_by_table():
    panel = {"panel": "p", "title": "P", "tables": [simple({"a": 1, "b": 9, "c": 8})]}
    out = suppress(panel)
    assert shown(out["tables"][0])["a"] == (None, "small")
    assert panel["tables"][0]["rows"][0]["values"]["contacts"] == 1  # the input is untouched


def test_display_texts():
    t = dashboards.table_display(suppress(simple({"a": 3, "b": 40, "c": 12})))
    cells = {r["label"]: r["cells"] for r in t["rows"]}
    assert cells["a"] == ["<5", "<5"]
    assert cells["c"] == ["x", "x"]
    assert cells["b"] == ["40", "72.7 %"]
    assert t["has_suppressed"]


def _panels():
    return [{"panel": "p", "title": "P", "tables": [suppress(simple({"a": 3, "b": 40, "c": 12}))]}]


def test_csv_export_has_lt5_not_the_number():
    response = exports.export_csv(_panels(), F, "dashboard_p")
    assert response["Content-Disposition"] == (
        'attachment; filename="dashboard_p_2026-03-01_2026-03-28.csv"'
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    body = {r[0]: r[1:] for r in rows if r and r[0] in ("a", "b", "c", "Total")}
    assert body == {
        "a": ["<5", "<5"],
        "b": ["40", "72,7"],
        "c": ["x", "x"],
        "Total": ["55", "100,0"],
    }
    assert ";3;" not in text and ";12;" not in text


def test_xlsx_export_has_lt5_not_the_number():
    response = exports.export_xlsx(_panels(), F, "dashboard_p")
    assert response["Content-Type"] == exports.XLSX_TYPE
    assert "dashboard_p_2026-03-01_2026-03-28.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["t"]
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "T"
    assert cells[2] == ["Channel", "Contacts", "Share (%)"]
    body = {r[0]: r[1:3] for r in cells[3:]}
    assert body == {"a": ["<5", "<5"], "b": [40, 72.7], "c": ["x", "x"], "Total": [55, 100.0]}
