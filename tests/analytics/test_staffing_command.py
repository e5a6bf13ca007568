"""manage.py staffing: one JSON object on standard output, a clear error otherwise."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> dict:
    out = StringIO()
    call_command("staffing", *args, stdout=out)
    return json.loads(out.getvalue())


BASE = ("--calls", "100", "--interval-seconds", "1800", "--aht", "180")


def test_erlang_c_figures_of_the_published_example():
    # The ErlangC package example (see test_erlang.py): 14 agents, 20 with 30 % shrinkage.
    data = run(*BASE, "--target", "0.8", "--within", "20", "--max-occupancy", "0.85",
               "--shrinkage", "0.3")  # fmt: skip
    assert set(data) == {
        "agents",
        "agents_with_shrinkage",
        "service_level",
        "asa_seconds",
        "occupancy",
    }
    assert data["agents"] == 14
    assert data["agents_with_shrinkage"] == 20
    assert data["service_level"] == pytest.approx(0.88835, abs=1e-5)
    assert data["asa_seconds"] == pytest.approx(7.835937, abs=1e-6)
    assert data["occupancy"] == pytest.approx(0.714286, abs=1e-6)


def test_with_patience_abandonment_is_reported():
    data = run(*BASE, "--target", "0.8", "--within", "20", "--patience", "120")
    assert set(data) >= {"abandonment"}
    assert 0 < data["abandonment"] < 0.1
    assert data["agents"] <= 14 and data["service_level"] >= 0.8
    assert data["agents_with_shrinkage"] == data["agents"]


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("--target", "1.5", "--within", "20"), "target"),
        (("--target", "0.8", "--within", "20", "--shrinkage", "1"), "shrinkage"),
        (("--target", "0.8", "--within", "20", "--patience", "0"), "patience"),
        (("--target", "0.8", "--within", "20", "--max-occupancy", "0"), "max_occupancy"),
    ],
)
def test_bad_values_stop_with_an_error(args, text):
    with pytest.raises(CommandError) as caught:
        call_command("staffing", *BASE, *args, stdout=StringIO())
    assert text in str(caught.value)


def test_negative_calls_and_zero_aht_are_refused():
    with pytest.raises(CommandError, match="calls"):
        call_command("staffing", "--calls", "-3", "--interval-seconds", "1800", "--aht", "180",
                     "--target", "0.8", "--within", "20", stdout=StringIO())  # fmt: skip
    with pytest.raises(CommandError, match="aht"):
        call_command("staffing", "--calls", "3", "--interval-seconds", "1800", "--aht", "0",
                     "--target", "0.8", "--within", "20", stdout=StringIO())  # fmt: skip


def test_the_command_exits_non_zero_from_the_shell(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DEMO": "1", "BORGERSERVICE_TESTING": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}  # fmt: skip
    ok = subprocess.run(
        [sys.executable, "manage.py", "staffing", *BASE, "--target", "0.8", "--within", "20"],
        cwd=repo, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["agents"] == 14
    bad = subprocess.run(
        [sys.executable, "manage.py", "staffing", *BASE, "--target", "80", "--within", "20"],
        cwd=repo, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert bad.returncode != 0
    assert "target" in bad.stderr and not bad.stdout
