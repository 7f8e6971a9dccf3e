"""Messages: no echoes of a broken field.

tiny.json: days mon/wed/fri, block am, stages early/late, group types education and
relapse_prevention, patients P1..P4 (P1 and P2 with primary counselor C1), counselors C1
and C2, rooms R1 and R2.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import raw
from models import InputError, parse_instance

# -- echoes of a broken top-level field are left out -------------------------------------

INDEPENDENT = "patients[3] (P4).primary_counselor: 'C09' is not a counselor id"


@pytest.mark.parametrize(
    ("field", "value", "line"),
    [
        ("days", "mon", "days: Input should be a valid list"),
        ("days", [], "days: List should have at least 1 item after validation, not 0"),
        ("blocks", {}, "blocks: Input should be a valid list"),
        ("stages", 3, "stages: Input should be a valid list"),
        ("group_types", "x", "group_types: Input should be a valid list"),
        ("counselors", "C1", "counselors: Input should be a valid list"),
    ],
)
def test_a_broken_top_level_field_is_one_line(field: str, value: Any, line: str) -> None:
    data = raw("tiny")
    data[field] = value
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines == [line]  # no slot, stage, type or counselor reference echoed
    if field != "counselors":  # with a problem that does not depend on the field
        data["patients"][3]["primary_counselor"] = "C09"
        with pytest.raises(InputError) as err:
            parse_instance(data)
        assert err.value.lines == [line, INDEPENDENT]


def test_a_missing_top_level_field_is_one_line() -> None:
    data = raw("tiny")
    del data["days"]
    data["patients"][3]["primary_counselor"] = "C09"
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines == ["days: required field is missing", INDEPENDENT]


@pytest.mark.parametrize(
    ("edit", "line"),
    [
        (
            lambda d: d["days"].__setitem__(1, "w e d"),
            "days[1]: 'w e d': an id uses only letters, digits, '_' and '-'",
        ),
        (
            lambda d: d["blocks"][0]["periods"][1].update(start="10:00", end="09:00"),
            "blocks[0] (am).periods[1]: period ends at 09:00, not after its start 10:00",
        ),
        (
            lambda d: d["blocks"].__setitem__(0, "am"),
            "blocks[0]: Input should be a valid dictionary or instance of Block",
        ),
        (
            lambda d: d["counselors"][0].__setitem__("id", "C 1"),
            "counselors[0] (C 1).id: 'C 1': an id uses only letters, digits, '_' and '-'",
        ),
        (
            lambda d: d["stages"].__setitem__(0, 7),
            "stages[0]: Input should be a valid string",
        ),
    ],
)
def test_a_broken_item_leaves_out_the_references_into_its_field(edit: Any, line: str) -> None:
    # Without wed, or without a usable am block, every 'x.am' slot reference could be an
    # echo; without C1's id, every primary counselor (C09 too: it could be the broken one);
    # without stage 'early', every patient's stage. The other problem depends on none of
    # them: P4's primary counselor C09, or, when the counselors are in doubt, P3's stage.
    data = raw("tiny")
    edit(data)
    if line.startswith("counselors"):
        data["patients"][2]["stage"] = "nostage"
        other = "patients[2] (P3).stage: 'nostage' is not a stage"
    else:
        data["patients"][3]["primary_counselor"] = "C09"
        other = INDEPENDENT
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines == [line, other]


def test_a_broken_item_with_a_valid_id_still_counts_for_references() -> None:
    # C1's roles are wrong, but its id is known: P4's C09 is reported, nothing naming C1.
    data = raw("tiny")
    data["counselors"][0]["roles"] = ["wizard"]
    data["patients"][3]["primary_counselor"] = "C09"
    data["patients"][2]["stage"] = "nostage"
    with pytest.raises(InputError) as err:
        parse_instance(data)
    assert err.value.lines[1:] == ["patients[2] (P3).stage: 'nostage' is not a stage", INDEPENDENT]
    assert err.value.lines[0].startswith("counselors[0] (C1).roles[0]: ")
