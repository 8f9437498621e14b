"""The machine speed probe (bench/machine_speed.py) prints one figure per
round and their median, from processes that run at the same time."""

import pytest

from tests.installation import bench_module

machine_speed = bench_module("machine_speed")


def test_a_tiny_run_prints_the_median_and_every_round(capsys):
    assert machine_speed.main(["--additions", "20000", "--rounds", "3"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("machine speed: ")
    rounds = line.split("(rounds: ")[1].rstrip(")").split(", ")
    assert len(rounds) == 3 and all(float(rate) > 0 for rate in rounds)


def test_the_figure_is_the_median_of_the_slowest_processes():
    line = machine_speed.report([30.0, 10.0, 20.0], processes=2)
    assert line.startswith("machine speed: 20.0 million additions a second")
    assert "each of 2 cores at once (rounds: 30.0, 10.0, 20.0)" in line


@pytest.mark.parametrize("argument", ["--additions", "--rounds", "--processes"])
def test_nothing_to_measure_is_refused(argument, capsys):
    with pytest.raises(SystemExit) as refused:
        machine_speed.main([argument, "0"])
    assert refused.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err
