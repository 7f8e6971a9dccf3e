"""Multi-site organizations: one solve per site (``scheduler.sites``), merged and checked."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from conftest import solve_checked
from models import Instance, ProgramIndex, load_schedule
from scheduler import ProgressEvent, SolveSettings, check, sites, solve
from scheduler.generate import generate
from scheduler.greedy import greedy_schedule
from scheduler.organization import (
    floater_days,
    floaters,
    site_instances,
    spans_sites,
    split_schedule,
)


@pytest.fixture(scope="module")
def two_sites() -> Instance:
    instance, witness = generate(60, seed=3, sites=2)
    assert witness is not None
    return instance


def test_site_instances_hold_only_their_site(two_sites: Instance) -> None:
    idx = ProgramIndex(two_sites)
    subs = site_instances(two_sites)
    assert set(subs) == {"S1", "S2"}
    days = floater_days(idx)
    for site, sub in subs.items():
        assert {p.site for p in sub.patients} == {site}
        assert {r.site for r in sub.rooms} == {site}
        assert all(idx.works_at(c, site) for c in sub.counselors)
        here = {p.id for p in sub.patients}
        assert all(a in here for p in sub.patients for a in p.avoid)
        for c in sub.counselors:  # a floater is there only on their days at this site
            for slot in c.available:
                key = (c.id, idx.day_of[slot])
                assert key not in days or days[key] == site
    # Every patient is in exactly one site instance.
    assert sorted(p.id for s in subs.values() for p in s.patients) == sorted(
        p.id for p in two_sites.patients
    )


def test_floaters_work_one_site_a_day_and_see_their_patients(two_sites: Instance) -> None:
    idx = ProgramIndex(two_sites)
    moving = floaters(idx)
    assert moving, "the generator makes about 10% of staff floaters"
    days = floater_days(idx)
    for c in moving:
        mine = {d: site for (cid, d), site in days.items() if cid == c.id}
        assert set(mine.values()) <= set(idx.sites_of(c))
        available_days = {idx.day_of[s] for s in c.available}
        assert set(mine) == available_days  # each available day goes to exactly one site
        for p in two_sites.patients:  # a primary counselor is at the patient's site on a day
            if p.primary_counselor == c.id and idx.individual_per_week(p):
                their_days = {idx.day_of[s] for s in p.available}
                assert any(mine.get(d) == p.site for d in their_days), p.id


def test_solve_by_site_is_checked_and_adds_up(two_sites: Instance) -> None:
    result = solve_checked(two_sites, time_limit=30)
    assert result.found
    assert set(result.site_statuses) == {"S1", "S2"}
    # Floaters' days are chosen before the solve: never claimed optimal for the whole.
    assert result.status == "feasible"
    assert result.best_bound is not None and result.best_bound <= result.objective
    sessions_by_site = {
        ProgramIndex(two_sites).site_of_room(s.room) for s in result.schedule.sessions
    }
    assert sessions_by_site == {"S1", "S2"}


def test_cli_generates_and_solves_a_multi_site_organization(tmp_path: Path) -> None:
    inst, out = tmp_path / "org.json", tmp_path / "org.schedule.json"
    runner = CliRunner()
    gen = runner.invoke(main, ["generate", "--patients", "40", "--sites", "2", "-o", str(inst)])
    assert gen.exit_code == 0, gen.output
    solved = runner.invoke(
        main, ["solve", str(inst), "-o", str(out), "--time-limit", "30", "--workers", "2"]
    )
    assert solved.exit_code == 0, solved.output  # the CLI checks before it writes
    from models import load_instance

    report = check(load_instance(inst), load_schedule(out))
    assert report.ok


def test_generate_too_many_sites_is_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["generate", "--patients", "20", "--sites", "8", "-o", str(tmp_path / "x.json")]
    )
    assert result.exit_code == 2
    assert result.output.startswith("--sites: ")
    assert not (tmp_path / "x.json").exists()


def test_spans_sites_once(two_sites: Instance) -> None:
    """The organization is split; a site's own instance is solved as it is, never split
    again; one populated site with staff barred from it still goes through the split."""
    assert spans_sites(two_sites)
    for sub in site_instances(two_sites).values():
        assert not spans_sites(sub)
    s1 = site_instances(two_sites)["S1"]
    barred = s1.counselors[0].model_copy(update={"sites": ["S2"]})
    assert spans_sites(s1.model_copy(update={"counselors": [barred, *s1.counselors[1:]]}))
    assert not spans_sites(two_sites.model_copy(update={"sites": []}))


def test_split_schedule_gives_each_site_its_valid_part(two_sites: Instance) -> None:
    whole = greedy_schedule(two_sites, 0).schedule
    assert whole is not None and whole.objective is not None
    subs = site_instances(two_sites)
    parts = split_schedule(two_sites, whole)
    assert set(parts) == set(subs) == {"S1", "S2"}
    total = 0
    for site, part in parts.items():
        report = check(subs[site], part)
        assert report.ok, report.violations
        total += report.objective
    assert total == whole.objective  # every term adds up over sites
    assert sum(len(p.sessions) for p in parts.values()) == len(whole.sessions)
    assert sum(len(p.screens) for p in parts.values()) == len(whole.screens)


def test_split_schedule_drops_what_the_instance_no_longer_has(two_sites: Instance) -> None:
    whole = greedy_schedule(two_sites, 0).schedule
    assert whole is not None
    gone = whole.sessions[0].model_copy(update={"room": "NO_SUCH_ROOM"})
    edited = whole.model_copy(update={"sessions": [gone, *whole.sessions[1:]]})
    parts = split_schedule(two_sites, edited)
    assert sum(len(p.sessions) for p in parts.values()) == len(whole.sessions) - 1


def test_solve_by_site_starts_from_a_given_schedule(two_sites: Instance) -> None:
    whole = greedy_schedule(two_sites, 1).schedule
    assert whole is not None and whole.objective is not None
    events: list[ProgressEvent] = []
    result = solve(
        two_sites,
        SolveSettings(time_limit=6, workers=2),
        on_progress=events.append,
        start_from=whole,
    )
    assert result.found and result.objective is not None
    report = check(two_sites, result.schedule)
    assert report.violations == [] and report.objective == result.objective
    assert events and events[0].objective == whole.objective  # its start, not a new greedy
    assert result.objective <= whole.objective  # a valid start is never made worse


@pytest.mark.parametrize(("workers", "lanes", "each"), [(4, 2, 2), (2, 1, 2)])
def test_sites_go_in_two_lanes_with_four_workers_or_more(
    two_sites: Instance, monkeypatch: pytest.MonkeyPatch, workers: int, lanes: int, each: int
) -> None:
    """Two lanes side by side, each site with half the workers; with fewer than four
    workers (a lane of one found no cohort week in time) one lane, all the workers."""
    seen: list[tuple[str, int]] = []
    solve_program = sites.solve_program

    def spy(sub: Instance, settings: SolveSettings, **kwargs: object) -> object:
        seen.append((threading.current_thread().name, settings.workers))
        return solve_program(sub, settings, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sites, "solve_program", spy)
    result = solve(two_sites, SolveSettings(time_limit=8, workers=workers))
    report = check(two_sites, result.schedule)
    assert report.ok and report.objective == result.objective
    assert len({thread for thread, _ in seen}) == lanes
    assert {w for _, w in seen} == {each}
