"""timetable.xlsx: it opens, the right sheets, the right cells in a grid, frozen panes,
print setup and page breaks."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from models import Instance, Schedule, parse_instance
from scheduler.export.sheets import MAX_TITLE, NAME, files, sheet_title
from scheduler.generate import generate
from tests.export.handmade import instance, schedule


def opened(inst: Instance, sched: Schedule) -> Workbook:
    out = files(inst, sched)
    assert list(out) == [NAME] == ["timetable.xlsx"]
    return load_workbook(BytesIO(out[NAME]))


def test_the_sheets_in_order() -> None:
    wb = opened(instance(), schedule())
    assert wb.sheetnames == [
        "Summary",
        "Room R1",
        "Room R2",
        "Office O1",
        "Office O2",
        "Counselor C1",
        "Counselor C2",
        "Sign-in",
        "Patients",
    ]


def test_a_grid_sheet_cell_by_cell() -> None:
    ws = opened(instance(P1="Ana R."), schedule())["Counselor C1"]
    assert ws["A1"].value == "Counselor C1"
    assert [c.value for c in ws[3]] == ["Time", "mon", "wed", "fri"]
    assert ws["A4"].value == "AM"  # the block's band
    assert ws["A5"].value == "09:00-10:30"
    assert ws["B5"].value == "education\nroom R1\n4 patients\nS1"
    assert ws["C6"].value == "relapse_prevention\nstage early\nroom R1\n2 patients\nS5"
    assert ws["A7"].value == "APPOINTMENTS"
    assert ws["A8"].value == "12:10-13:00"
    assert ws["B8"].value == "individual counseling\noffice O1\npatient P1"
    assert ws["D8"].value is None
    assert ws.freeze_panes == "B4"
    assert ws.print_title_rows == "$1:$3" and ws.print_title_cols == "$A:$A"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    # no patient's name in a grid
    assert not any("Ana" in str(c.value) for row in ws.iter_rows() for c in row)


def test_sign_in_and_patients_break_between_pages() -> None:
    wb = opened(instance(P1="Ana R."), schedule())
    signin = wb["Sign-in"]
    assert signin["A1"].value == "Sign-in: education"
    values = [[c.value for c in row] for row in signin.iter_rows()]
    assert [1, "Ana R.", "P1", None, None] in values
    assert [2, "P2", "P2", None, None] in values
    assert len(signin.row_breaks.brk) == 9  # one page per session
    patients = wb["Patients"]
    assert patients["A1"].value == "Ana R." and patients["C1"].value == "P1"
    assert len(patients.row_breaks.brk) == 4
    # P1's page ends before P2's begins: no other patient on it
    first_break = patients.row_breaks.brk[0].id
    p1_page = [c.value for row in patients.iter_rows(max_row=first_break) for c in row]
    assert not {"P2", "P3", "P4"} & {str(v) for v in p1_page}


def test_summary_sheet_lists_violations_and_flags() -> None:
    ws = opened(instance(), schedule(drop=("P4", "fri")))["Summary"]
    column_a = [row[0].value for row in ws.iter_rows()]
    assert ws["A1"].value == "Summary of tiny"
    assert column_a[2] == "The checker finds 4 broken rules:"
    assert "P4 has 6.0 h, below min_hours 9" in column_a
    (p4,) = [row for row in ws.iter_rows() if row[0].value == "P4"]
    assert "below min_days 3" in str(p4[7].value) and p4[7].fill.fgColor.rgb.endswith("FBEAE9")
    assert ws.freeze_panes == "A3"


def test_sheet_names_fit_and_are_unique() -> None:
    used: set[str] = set()
    long = "Room " + "x" * 40
    first, second = sheet_title(long, used), sheet_title(long, used)
    assert len(first) == len(second) == MAX_TITLE and first != second
    assert sheet_title("summary", {"summary"}) == "summary~2"  # Excel ignores case
    assert sheet_title("a[b]:c*?/\\", set()) == "a_b__c____"


def test_long_ids_in_a_generated_two_site_week() -> None:
    inst, witness = generate(patients=16, sites=2, seed=5)
    assert witness is not None
    # rooms whose ids share their first 31 characters: the sheet names must still differ
    data = inst.model_dump(mode="json", exclude_none=True)
    prefix = "a-very-long-room-identifier-at-the-site-"
    rename = {r["id"]: prefix + r["id"] for r in data["rooms"]}
    for r in data["rooms"]:
        r["id"] = rename[r["id"]]
    sched = witness.model_copy(
        update={
            "sessions": [s.model_copy(update={"room": rename[s.room]}) for s in witness.sessions],
            "individual_sessions": [
                a.model_copy(update={"room": rename[a.room]}) for a in witness.individual_sessions
            ],
            "medication_appointments": [
                a.model_copy(update={"room": rename[a.room]})
                for a in witness.medication_appointments
            ],
        }
    )
    wb = opened(parse_instance(data), sched)
    names = wb.sheetnames
    assert len(names) == 1 + len(inst.rooms) + len(inst.counselors) + 2
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= MAX_TITLE for n in names)
    # each room's grid holds its sessions
    for s in sched.sessions[:5]:
        (sheet,) = [wb[n] for n in names if wb[n]["A1"].value == f"Room {s.room}"]
        assert any(s.id in str(c.value) for row in sheet.iter_rows() for c in row)
