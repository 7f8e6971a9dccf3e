"""timetable.html: every session is on the page, each patient's page is theirs alone,
display names only where allowed, escaping; and the page in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from models import Instance, Schedule, parse_instance, to_json
from scheduler import check
from scheduler.export.page import NAME, files, render
from scheduler.generate import generate
from tests.conftest import load, solve_checked
from tests.export.handmade import instance, schedule

VOID = {"meta", "br", "hr", "img", "link", "input", "col", "wbr"}
# Where a patient's display name may appear (the classes and ids of those elements).
NAMED = {"roster", "patient", "summary-patients"}


class Sections(HTMLParser):
    """The page's text, by the element ids and classes it is inside."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[set[str]] = []
        self.chunks: list[tuple[frozenset[str], str]] = []  # (ids and classes around, text)
        self.by_id: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        a = dict(attrs)
        marks = set((a.get("class") or "").split())
        if a.get("id"):
            marks.add(f"#{a['id']}")
        self.stack.append(marks)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        around = frozenset(m for marks in self.stack for m in marks)
        self.chunks.append((around, data))
        for mark in around:
            if mark.startswith("#"):
                self.by_id.setdefault(mark[1:], []).append(data)

    def text(self, ident: str) -> str:
        """The text inside the element of this id, whitespace runs made one space."""
        return " ".join(" ".join(self.by_id.get(ident, [])).split())


def parse(page: str) -> Sections:
    parser = Sections()
    parser.feed(page)
    parser.close()
    assert parser.stack == [], "unbalanced tags"
    return parser


def named_week() -> tuple[Instance, Schedule]:
    """A generated two-site week (its witness schedule), patients with display names."""
    inst, witness = generate(patients=16, sites=2, seed=5)
    assert witness is not None
    data = inst.model_dump(mode="json", exclude_none=True)
    for i, p in enumerate(data["patients"]):
        p["display_name"] = f"Name{i:02d} Q."
    return parse_instance(data), witness


def test_every_session_is_on_the_page() -> None:
    inst, sched = named_week()
    page = parse(render(inst, sched))
    assert sched.sessions
    for s in sched.sessions:
        room = page.text(f"room-{s.room}")
        assert s.id in room and s.group_type in room
        roster = page.text(f"roster-{s.id}")
        assert s.group_type in roster and f"{s.start}-{s.end}" in roster and s.day in roster
        assert s.room in roster
        site = next(r.site for r in inst.rooms if r.id == s.room)
        assert site is not None and site in roster  # multi-site: the site is shown
        for c in s.counselors:
            assert s.id in page.text(f"counselor-{c}")
    for a in sched.individual_sessions:
        assert f"patient {a.patient}" in page.text(f"counselor-{a.counselor}")


def test_each_patient_page_names_only_that_patient() -> None:
    inst, sched = named_week()
    page = parse(render(inst, sched))
    for p in inst.patients:
        text = page.text(f"patient-{p.id}")
        assert p.id in text and str(p.display_name) in text
        minutes = sum(s.minutes for s in sched.sessions if p.id in s.patients)
        assert f"{minutes / 60:.1f} h (at least {p.min_hours:g} h" in text
        for other in inst.patients:
            if other.id != p.id:
                assert not re.search(rf"\b{other.id}\b", text), (p.id, other.id)
                assert str(other.display_name) not in text
        assert "patients" not in text  # no head counts
        assert "screen" not in text.lower()  # screens are unannounced


def test_display_names_only_where_allowed() -> None:
    inst, sched = named_week()
    page = parse(render(inst, sched))
    names = [str(p.display_name) for p in inst.patients]
    seen_allowed = set()
    for around, text in page.chunks:
        for name in names:
            if name in text:
                allowed = {m.lstrip("#") for m in around} & NAMED
                assert allowed, (name, sorted(around))
                seen_allowed |= allowed
    assert seen_allowed == NAMED


def test_user_text_is_escaped() -> None:
    inst = instance(P1="<b>x</b>", P2="Tom & <script>alert(1)</script>")
    html = render(inst, schedule())
    assert "<b>x</b>" not in html and "<script>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    # shown as text: the parser (which unescapes entities) reads the name back
    assert "<b>x</b>" in parse(html).text("roster-S1")
    assert "<script>alert(1)</script>" in parse(html).text("patient-P2")


def test_a_broken_week_says_so_at_the_top() -> None:
    inst, sched = instance(), schedule(drop=("P4", "fri"))
    html = render(inst, sched)
    page = parse(html)
    violations = check(inst, sched).violations
    assert violations
    assert f"breaks {len(violations)} rules" in page.text("contents")
    listed = page.text("violations")
    for v in violations:
        assert v.message in listed
    assert "P4" in page.text("summary-patients")


def test_files_is_the_page_in_utf8() -> None:
    out = files(instance(P1="Zoë"), schedule())
    assert list(out) == [NAME] == ["timetable.html"]
    html = out[NAME].decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Zoë" in html
    # self-contained: no network, no script
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html and "@import" not in html


# -- the page in a real browser ------------------------------------------------------------


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        if found := shutil.which(name):
            return found
    return None


def run_chromium(binary: str, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    return subprocess.run(
        [binary, *flags, *args], capture_output=True, text=True, timeout=120, check=True
    )


def section_page(html: str, anchor: str) -> str:
    """The page's head and one section of it: a screenshot shows that section."""
    head = html[: html.index("<body>")]
    found = re.search(rf'<section [^>]*id="{anchor}">.*?</section>', html, re.S)
    assert found, anchor
    return f'{head}<body><div class="page">{found.group(0)}</div></body></html>'


@pytest.mark.skipif(
    chromium() is None, reason="no chromium binary found (apt-get install chromium)"
)
def test_medium_in_headless_chromium(tmp_path: Path) -> None:
    binary = chromium()
    assert binary is not None
    inst = load("medium")
    result = solve_checked(inst)  # asserts the checker accepts it and agrees on the objective
    assert result.found
    sched = result.schedule
    assert check(inst, sched).objective == result.objective
    html_path = tmp_path / NAME
    html_path.write_bytes(files(inst, sched)[NAME])
    (tmp_path / "medium.schedule.json").write_text(to_json(sched))
    dom = run_chromium(binary, "--dump-dom", html_path.as_uri()).stdout
    assert "<table" in dom
    missing = [s.id for s in sched.sessions if f'id="roster-{s.id}"' not in dom]
    assert not missing
    rendered = parse(dom)
    for s in sched.sessions:
        assert s.id in rendered.text(f"room-{s.room}")
    counselor = sched.sessions[0].counselors[0]
    grid = tmp_path / "counselor-grid.html"
    grid.write_text(section_page(html_path.read_text(), f"counselor-{counselor}"))
    shot = tmp_path / "counselor-grid.png"
    run_chromium(binary, "--window-size=1400,1000", f"--screenshot={shot}", grid.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
