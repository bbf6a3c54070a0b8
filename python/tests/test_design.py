"""Designs from files, text and dicts; changed copies; the exceptions of bad input."""

import json
import pickle  # noqa: F401  (Design is not picklable; nothing here relies on it)

import numpy as np
import pytest

import needlemap
from conftest import ROOT

MF8 = ROOT / "designs/mf8-192.toml"


def test_load_from_toml_and_from_dict_agree():
    a = needlemap.load(MF8)
    b = needlemap.Design.from_toml(MF8.read_text(), path=MF8)
    c = needlemap.Design.from_dict(a.to_dict(), path=MF8)
    assert a.name == b.name == c.name == "mf8-192"
    assert a.kind == "roller" and a.needle_count == 192
    ra, rb, rc = (needlemap.analyze(x, resolution_um=40) for x in (a, b, c))
    assert ra.metrics == rb.metrics == rc.metrics
    assert "mf8-192" in repr(a)


def test_from_dict_accepts_numpy_values():
    d = needlemap.load(MF8).to_dict()
    d["needle"]["length_mm"] = np.float64(1.0)
    d["treatment"]["area_mm"] = np.array([30.0, 30.0])
    x = needlemap.Design.from_dict(d)
    assert x.area_mm == (30.0, 30.0)
    assert x.to_dict()["needle"]["length_mm"] == 1.0


def test_with_sets_sweep_keys():
    d = needlemap.load(MF8)
    e = d.with_(**{"needle.length_mm": 1.0, "treatment.passes.*.count": 2})
    t = e.to_dict()
    assert t["needle"]["length_mm"] == 1.0
    assert all(p["count"] == 2 for p in t["treatment"]["passes"])
    assert d.to_dict()["needle"]["length_mm"] != 1.0  # the original is unchanged
    f = d.with_({"roller.layout.rings": 4})
    assert f.needle_count == 4 * 24
    r0 = needlemap.analyze(d, resolution_um=40)
    r1 = needlemap.analyze(e, resolution_um=40)
    assert r1.metrics["max_depth_mm"] < r0.metrics["max_depth_mm"]


def test_with_refuses_unknown_keys_and_bad_values():
    d = needlemap.load(MF8)
    with pytest.raises(needlemap.DesignError) as e:
        d.with_(**{"needle.colour": 1.0})
    assert e.value.key == "needle.colour" and e.value.path == str(MF8)
    assert "not a key a sweep may vary" in str(e.value)
    with pytest.raises(needlemap.DesignError) as e:
        d.with_(**{"roller.layout.rings": 2.5})
    assert e.value.key == "roller.layout.rings"
    with pytest.raises(needlemap.DesignError) as e:
        d.with_(**{"needle.length_mm": -1.0})
    assert e.value.key == "needle.length_mm" and float(e.value.value) == -1.0
    with pytest.raises(TypeError):
        d.with_(**{"needle.length_mm": "long"})


def bad_design(tmp_path, old, new):
    p = tmp_path / "bad.toml"
    text = MF8.read_text()
    assert old in text
    p.write_text(text.replace(old, new, 1))
    return p


def cli_message(cli, path):
    p = cli("analyze", path, "--no-plots", "--out", ROOT / "out" / "pytest-bad", check=False)
    assert p.returncode == 2
    assert p.stderr.startswith("error: ")
    return p.stderr[len("error: "):].rstrip("\n")


def test_invalid_value_raises_design_error_like_the_cli(tmp_path, cli):
    length = next(l for l in MF8.read_text().splitlines() if l.startswith("length_mm"))
    p = bad_design(tmp_path, length, "length_mm = -1.5")
    with pytest.raises(needlemap.DesignError) as e:
        needlemap.load(p)
    err = e.value
    assert isinstance(err, ValueError)
    assert err.path == str(p) and err.key == "needle.length_mm"
    assert err.line == MF8.read_text().splitlines().index(length) + 1
    assert err.column >= 1 and err.value == "-1.5"
    assert str(err) == cli_message(cli, p)
    with pytest.raises(needlemap.DesignError):
        needlemap.analyze(p)


def test_syntax_error_has_line_and_column(tmp_path, cli):
    p = bad_design(tmp_path, "[needle]", "[needle")
    with pytest.raises(needlemap.DesignError) as e:
        needlemap.load(p)
    assert e.value.path == str(p) and e.value.line is not None and e.value.column is not None
    assert e.value.key is None
    assert str(e.value) == cli_message(cli, p)


def test_missing_file(tmp_path, cli):
    p = tmp_path / "nope.toml"
    with pytest.raises(needlemap.DesignError) as e:
        needlemap.load(p)
    assert e.value.path == str(p) and e.value.line is None
    assert str(e.value) == cli_message(cli, p)


def test_from_toml_and_dict_errors():
    with pytest.raises(needlemap.DesignError) as e:
        needlemap.Design.from_toml("")
    assert e.value.path == "<design>"
    d = needlemap.load(MF8).to_dict()
    d["needle"]["length_mm"] = 0.0
    with pytest.raises(needlemap.DesignError) as e:
        needlemap.Design.from_dict(d, path="mine.toml")
    assert e.value.path == "mine.toml" and e.value.key == "needle.length_mm"
    with pytest.raises(TypeError):
        needlemap.Design.from_dict({"name": object()})


def test_limits_raise_limit_error(cli):
    with pytest.raises(needlemap.LimitError) as e:
        needlemap.analyze(MF8, resolution_um=0.01)
    assert isinstance(e.value, ValueError)
    p = cli("analyze", MF8, "--no-plots", "--resolution-um", "0.01", "--out",
            ROOT / "out" / "pytest-limit", check=False)
    # the CLI adds the design file and the key that drives the cost in front of the same text
    assert p.returncode == 2 and p.stderr.endswith(f"{e.value}\n")
    with pytest.raises(ValueError):
        needlemap.analyze(MF8, resolution_um=-1)
    with pytest.raises(ValueError):
        needlemap.analyze(MF8, threads=0)


def test_bad_argument_types():
    with pytest.raises(TypeError):
        needlemap.analyze(42)


def test_validate_matches_the_cli_and_passes():
    import json
    import os
    import subprocess

    root = os.path.join(os.path.dirname(__file__), "..", "..")
    v = needlemap.validate(os.path.join(root, "designs", "validation"))
    assert v["pass"] is True
    cli = subprocess.run(
        [os.environ.get("NEEDLEMAP_BIN", "needlemap"), "validate", "--format", "json"],
        cwd=root, capture_output=True, text=True, check=True,
    )
    assert json.loads(cli.stdout)["rows"] == v["rows"]
    kalluri = [r for r in v["rows"] if r["design"] == "kalluri-2011-roller-rat"]
    assert {r["quantity"] for r in kalluri} == {"channel_depth_mm", "opening_mm"}


# ---- issue 26: one reader, bounded work, files that are the user's ----

def test_special_files_are_refused_without_reading_or_blocking(tmp_path, monkeypatch):
    import os
    import sys

    monkeypatch.setenv("NEEDLEMAP_CANARY", "py-canary-26")
    fifo = tmp_path / "f.toml"
    os.mkfifo(fifo)
    link = tmp_path / "evil.toml"
    link.symlink_to("/proc/self/environ")
    cases = [("/dev/zero", "a device"), (fifo, "FIFO"), (tmp_path, "folder")]
    if sys.platform.startswith("linux"):
        cases += [(link, "/proc or /sys"), ("/proc/self/environ", "/proc or /sys")]
    for path, says in cases:
        with pytest.raises(needlemap.DesignError) as e:
            needlemap.load(path)
        assert says in str(e.value), str(e.value)
        assert "py-canary-26" not in str(e.value)


def test_threads_and_resolution_have_the_clis_limits():
    with pytest.raises(ValueError, match="from 1 to 256"):
        needlemap.analyze(MF8, threads=10**6)
    with pytest.raises(ValueError, match="at most 1000"):
        needlemap.analyze(MF8, resolution_um=1500)


def test_save_refuses_a_folder_it_did_not_make(tmp_path):
    r = needlemap.analyze(MF8, resolution_um=40)
    (tmp_path / "mf8-192").mkdir()
    (tmp_path / "mf8-192" / "keep.txt").write_text("mine")
    with pytest.raises(OSError, match="did not make"):
        r.save(tmp_path, plots=False)
    assert (tmp_path / "mf8-192" / "keep.txt").read_text() == "mine"
    other = tmp_path / "o"
    r.save(other, plots=False)
    assert (other / "mf8-192" / "needlemap-manifest.json").is_file()
    r.save(other, plots=False)  # its own folder is replaced
