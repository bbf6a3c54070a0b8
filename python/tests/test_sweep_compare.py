"""needlemap.sweep and needlemap.compare against the CLI."""

import csv
import io
import json
import math

import numpy as np
import pytest

import needlemap
from conftest import ROOT

MF8 = ROOT / "designs/mf8-192.toml"
PEN = ROOT / "designs/pen-12-110.toml"
RES = "40"


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    p = tmp_path_factory.mktemp("sweep") / "sweep.toml"
    # rings = 100 do not fit on the drum: an error row
    p.write_text(
        f'name = "py-sweep"\nbase = "{MF8}"\n[vary]\n'
        '"needle.length_mm" = [1.0, 1.5]\n"roller.layout.rings" = [4, 100]\n'
    )
    return p


def same_cell(cell, value):
    if cell == "":
        return value is None or (isinstance(value, float) and math.isnan(value))
    decimals = len(cell.split(".")[1]) if "." in cell else 0
    return f"{value:.{decimals}f}".lstrip("-") in (cell, cell.lstrip("-"))


def test_sweep_file_matches_cli_csv(sweep_file, cli, tmp_path):
    # the sweep file lies in a temporary folder and its base in the repository: outside the
    # project root chosen from the sweep file (Python's sweep reads anywhere, like this flag)
    out = cli("sweep", sweep_file, "--format", "csv", "--no-plots", "--resolution-um", RES,
              "--out", tmp_path, "--allow-outside")
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    cols = needlemap.sweep(sweep_file, resolution_um=float(RES))
    assert list(cols) == list(rows[0].keys())
    assert len(rows) == 4 and len(cols["name"]) == 4
    assert cols["roller.layout.rings"].dtype == np.int64
    assert cols["needle.length_mm"].dtype == np.float64
    for i, row in enumerate(rows):
        assert cols["name"][i] == row["name"]
        assert (cols["error"][i] or "") == row["error"]
        assert ";".join(cols["advisories"][i]) == row["advisories"]
        for k in row:
            if k in ("name", "error", "advisories"):
                continue
            assert same_cell(row[k], cols[k][i].item()), (i, k, row[k], cols[k][i])
    assert sum(e is not None for e in cols["error"]) == 2
    assert np.isnan(cols["channels"][1])


def test_sweep_vary_matches_sweep_file(sweep_file):
    a = needlemap.sweep(sweep_file, resolution_um=float(RES))
    b = needlemap.sweep(
        needlemap.load(MF8),
        vary={"needle.length_mm": [1.0, 1.5], "roller.layout.rings": [4, 100]},
        name="py-sweep",
        resolution_um=float(RES),
        threads=2,
    )
    assert list(a) == list(b)
    for k in a:
        if isinstance(a[k], np.ndarray):
            assert np.array_equal(a[k], b[k], equal_nan=True), k
        else:
            assert a[k] == b[k], k


def test_sweep_of_a_changed_design_and_bad_keys():
    d = needlemap.load(MF8).with_(**{"roller.layout.rings": 4})
    cols = needlemap.sweep(d, vary={"needle.length_mm": 1.5}, resolution_um=40)
    assert cols["name"] == ["mf8-192-1"]
    assert cols["channels"][0] == needlemap.analyze(d, resolution_um=40).metrics["channels"]
    with pytest.raises(needlemap.DesignError) as e:
        needlemap.sweep(MF8, vary={"pen.depth_mm": [1.0]})
    assert e.value.key == "pen.depth_mm" and e.value.path is None
    with pytest.raises(needlemap.DesignError) as e:
        needlemap.sweep(MF8, vary={"treatment.seed": [1, 2]}, seed=3)
    assert e.value.key == "treatment.seed"


def test_compare_matches_cli_json(cli, tmp_path):
    out = cli("compare", MF8, PEN, "--format", "json", "--resolution-um", RES,
              "--target-density", "300", "--out", tmp_path)
    want = json.loads(out.stdout)
    c = needlemap.compare([MF8, needlemap.load(PEN)], target_density=300,
                          resolution_um=float(RES))
    assert [r.name for r in c.results] == ["mf8-192", "pen-12-110"]
    assert [r.metrics for r in c.results] == [r["metrics"] for r in want["results"]]
    assert c.pairs == want["pairs"]
    assert c.target == want["target"]
    assert c.differences == want["differences"]
    assert "mf8-192" in c.table and str(c) == c.table


def test_compare_needs_two_designs():
    with pytest.raises(ValueError):
        needlemap.compare([MF8])
    c = needlemap.compare([MF8, MF8], resolution_um=40)
    assert [r.name for r in c.results] == ["mf8-192", "mf8-192#2"]
    assert c.target is None


def test_help_has_docstrings():
    for f in (needlemap.load, needlemap.analyze, needlemap.compare, needlemap.sweep,
              needlemap.Design, needlemap.Result, needlemap.Design.with_):
        assert f.__doc__ and len(f.__doc__) > 20, f
