"""CSV and XLSX exports of the dashboard tables: the same suppressed tables as the page.

Hidden cells are written as "<5" (a small count, or a figure computed from fewer than 5
persons) and "x" (hidden so that a small cell cannot be worked out from a total); the
numbers themselves never leave the server. Shares are written as percentages, durations
in seconds, so the figures can be computed with.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from .dashboards import SECONDARY, SMALL, Filters

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _header(column: dict) -> str:
    if column["kind"] == "share":
        return f"{column['label']} (%)"
    if column["kind"] == "seconds":
        return f"{column['label']} ({_('seconds')})"
    return column["label"]


def _value(value, kind: str, flag: str | None):
    if flag == SMALL:
        return "<5"
    if flag == SECONDARY:
        return "x"
    if value is None:
        return ""
    if kind == "share":
        return round(value * 100, 1)
    if kind in ("seconds", "hours", "mean"):
        return round(value, 1)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def table_rows(table: dict) -> list[list]:
    """The table as rows of cells: the header first, then the rows and the total."""
    columns = table["columns"]
    rows: list[list] = [[_header(c) for c in columns]]
    for r in table["rows"] + ([table["total"]] if table.get("total") else []):
        flags = r.get("flags", {})
        rows.append(
            [r["label"]]
            + [
                _value(r["values"].get(c["key"]), c["kind"], flags.get(c["key"]))
                for c in columns[1:]
            ]
        )
    return rows


def filename(name: str, filters: Filters, extension: str) -> str:
    return f"{name}_{filters.date_from:%Y-%m-%d}_{filters.date_to:%Y-%m-%d}.{extension}"


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def export_csv(panels: list[dict], filters: Filters, name: str) -> HttpResponse:
    """One CSV file (UTF-8 with BOM, so Excel reads the Danish letters; ';' separated as Danish
    spreadsheets expect); each table starts with its title, tables apart by an empty line."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [_("Period"), filters.date_from.isoformat(), filters.date_to.isoformat()]
        + [f"{k}={v}" for k, v in filters.as_params().items() if k not in ("from_date", "to_date")]
    )
    for panel in panels:
        for table in panel["tables"]:
            writer.writerow([])
            writer.writerow([table["title"]])
            for cells in table_rows(table):
                writer.writerow([_csv_cell(c) for c in cells])
    return _attachment(out.getvalue().encode("utf-8"), CSV_TYPE, filename(name, filters, "csv"))


def _csv_cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return "" if value is None else str(value)


def export_xlsx(panels: list[dict], filters: Filters, name: str) -> HttpResponse:
    """One workbook, one sheet per table (title in the first row, header in bold)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for panel in panels:
        for table in panel["tables"]:
            title = _sheet_title(table["id"], used)
            sheet = book.create_sheet(title)
            sheet.append([table["title"]])
            sheet["A1"].font = Font(bold=True, size=12)
            sheet.append(
                [_("Period"), f"{filters.date_from.isoformat()} – {filters.date_to.isoformat()}"]
            )
            for index, cells in enumerate(table_rows(table)):
                sheet.append(cells)
                if index == 0:
                    for cell in sheet[sheet.max_row]:
                        cell.font = Font(bold=True)
            for note in table.get("notes", []):
                sheet.append([note])
            sheet.column_dimensions["A"].width = 40
    if not book.sheetnames:
        book.create_sheet(_("Empty"))
    out = io.BytesIO()
    book.save(out)
    return _attachment(out.getvalue(), XLSX_TYPE, filename(name, filters, "xlsx"))


def _sheet_title(table_id: str, used: set[str]) -> str:
    base = table_id[:31]
    title, n = base, 2
    while title in used:
        suffix = f"_{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title
