"""One range table for the design file, the command line and Python: every bounded key that a
sweep may vary is refused past its maximum by `Design.with_` (DesignError naming the key) and by
the CLI reading the same design file (exit 2 naming the key), and the flags the CLI and Python
share are refused alike."""

import re

import pytest

import needlemap
from conftest import ROOT

# a base design of each kind, for the keys of its own table
BASES = {
    "roller": ROOT / "designs/mf8-192.toml",
    "pen": ROOT / "designs/pen-12-110.toml",
    "stamp": ROOT / "designs/stamp-35.toml",
}


def cases():
    """(base design, key) for every bounded key that can be set on a shipped design."""
    out = []
    for key, lo, _inc, hi, _unit in needlemap.RANGES:
        top = key.split(".")[0]
        if "needles." in key or key.startswith("experiment."):
            continue  # list elements and CSV columns: tests/hostile.rs
        base = BASES.get(top, BASES["roller"])
        d = needlemap.load(base)
        try:
            d.with_({key: (lo + hi) / 2 if hi > lo else hi})
        except needlemap.DesignError:
            continue  # not a key of this design, or a valid value depends on others
        out.append((base, key, hi))
    return out


CASES = cases()


def test_the_table_is_exposed_and_covers_the_sweepable_keys():
    keys = [c[1] for c in CASES]
    assert len(keys) >= 20, keys
    assert "needle.length_mm" in keys and "roller.force_n" in keys and "pen.depth_mm" in keys


@pytest.mark.parametrize("base,key,hi", CASES, ids=[c[1] for c in CASES])
def test_python_and_cli_refuse_the_same_value(tmp_path, cli, base, key, hi):
    bad = hi * 10 + 1
    d = needlemap.load(base)
    with pytest.raises(needlemap.DesignError) as e:
        d.with_({key: bad})
    assert e.value.key == key
    # the same value in a design file: the text of a valid copy, the key's line rewritten
    ok = d.with_({key: hi})
    last = key.split(".")[-1]
    text, n = re.subn(rf"(?m)^{re.escape(last)} = .*$", f"{last} = {bad!r}", ok.toml, count=1)
    assert n == 1, ok.toml
    p = tmp_path / "bad.toml"
    p.write_text(text)
    r = cli("analyze", p, "--no-plots", "--out", tmp_path / "out", check=False)
    assert r.returncode == 2, r.stderr
    assert f"`{key}`" in r.stderr and "must be" in r.stderr


@pytest.mark.parametrize("flag,arg,value", [("--resolution-um", "resolution_um", 1500.0),
                                            ("--resolution-um", "resolution_um", 0.0),
                                            ("--seed", "seed", -1)])
def test_flags_and_arguments_share_the_checks(tmp_path, cli, flag, arg, value):
    with pytest.raises((ValueError, OverflowError)):
        needlemap.analyze(BASES["roller"], **{arg: value})
    r = cli("analyze", BASES["roller"], "--no-plots", "--out", tmp_path / "out", flag, str(value),
            check=False)
    assert r.returncode == 2, r.stderr
