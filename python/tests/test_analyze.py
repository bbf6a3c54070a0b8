"""needlemap.analyze against the CLI, and the shapes and types of what it returns."""

import json
import threading
import time

import numpy as np
import pytest

import needlemap
from conftest import DESIGNS, ROOT


def test_shipped_designs_exist():
    assert len(DESIGNS) >= 2


@pytest.fixture(scope="module")
def results():
    return {p.stem: needlemap.analyze(p) for p in DESIGNS}


@pytest.mark.parametrize("path", DESIGNS, ids=lambda p: p.stem)
def test_equals_cli_json(path, results, cli_analyze):
    by_name, _ = cli_analyze
    r = results[path.stem]
    want = by_name[r.name]
    assert r.metrics == want["metrics"]
    assert list(r.metrics) == list(needlemap.METRIC_KEYS)
    assert r.layers == want["layers"]
    assert r.advisories == [(a["code"], a["message"]) for a in want["advisories"]]
    assert r.kind == want["kind"]
    mine = json.loads(r.to_json())["results"][0]
    for key in ("design_file", "threads"):
        mine["provenance"].pop(key)
        want["provenance"].pop(key)
    assert mine == want


@pytest.mark.parametrize("path", DESIGNS[:3], ids=lambda p: p.stem)
def test_save_writes_the_cli_files(path, results, cli_analyze, tmp_path):
    _, cli_out = cli_analyze
    r = results[path.stem]
    folder = r.save(tmp_path, plots=False)
    for f in ("summary.csv", "channels.csv", "tiles.csv", "needles.csv"):
        assert (tmp_path / r.name / f).read_bytes() == (cli_out / r.name / f).read_bytes(), f
    assert folder == str(tmp_path / r.name)


def test_save_draws_pictures(results, tmp_path):
    r = results["mf8-192"]
    r.save(tmp_path)
    assert list((tmp_path / r.name).glob("*.png"))


CHANNEL_DTYPES = {
    "x_mm": np.float64, "y_mm": np.float64, "axis_deg": np.float64, "slit_mm": np.float64,
    "radius_mm": np.float64, "depth_mm": np.float64, "channel_depth_mm": np.float64, "layer": np.int8, "pass": np.uint32,
    "stroke": np.uint32, "needle": np.uint32, "in_region": np.bool_,
}


@pytest.mark.parametrize("name", ["mf8-192", "pen-12-110"])
def test_arrays_have_documented_shapes_and_dtypes(name, results, cli_analyze):
    r = results[name]
    by_name, cli_out = cli_analyze
    prov = by_name[name]["provenance"]
    ch = r.channels
    assert list(ch) == list(CHANNEL_DTYPES)  # the channels.csv columns, in order
    header = (cli_out / name / "channels.csv").read_text().splitlines()[0]
    assert header.split(",") == list(ch)
    n = prov["field_channels"]
    for k, dt in CHANNEL_DTYPES.items():
        assert ch[k].dtype == dt, k
        assert ch[k].shape == (n,), k
    assert int(ch["in_region"].sum()) == r.metrics["channels"]
    assert ch["layer"].min() >= 0 and ch["layer"].max() < len(needlemap.LAYERS)
    inside = ch["in_region"]
    shares = np.bincount(ch["layer"][inside], minlength=5) / inside.sum()
    assert np.allclose(shares, [r.layers[k] for k in needlemap.LAYERS])

    cov = r.coverage
    assert cov.dtype == np.float64 and cov.ndim == 2
    x0, x1, y0, y1 = r.extent_mm
    assert (x0, y0) == (0.0, 0.0)
    assert x1 == pytest.approx(cov.shape[1] * r.pitch_mm)
    assert y1 == pytest.approx(cov.shape[0] * r.pitch_mm)
    assert x1 >= r.area_mm[0] - 1e-9 and x1 < r.area_mm[0] + r.pitch_mm
    assert np.all((cov >= 0) & (cov <= 1))
    assert r.treated.shape == cov.shape
    assert np.all(r.treated >= cov - 1e-12)

    dens = r.density
    tiles = (cli_out / name / "tiles.csv").read_text().splitlines()[1:]
    assert dens.dtype == np.float64 and dens.size == len(tiles)
    assert dens.shape == (int(r.density_extent_mm[3] / r.tile_mm),
                          int(r.density_extent_mm[1] / r.tile_mm))


def test_to_pandas(results):
    pd = pytest.importorskip("pandas")
    df = results["mf8-192"].to_pandas()
    assert list(df.columns) == list(CHANNEL_DTYPES)
    assert set(df["layer"].cat.categories) == set(needlemap.LAYERS)


def test_threads_do_not_change_results():
    one = needlemap.analyze(ROOT / "designs/pen-12-110.toml", threads=1, resolution_um=20)
    two = needlemap.analyze(ROOT / "designs/pen-12-110.toml", threads=2, resolution_um=20)
    assert (one.threads, two.threads) == (1, 2)
    assert one.metrics == two.metrics
    for k, v in one.channels.items():
        assert np.array_equal(v, two.channels[k]), k
    assert np.array_equal(one.coverage, two.coverage, equal_nan=True)
    assert np.array_equal(one.density, two.density)


def test_overrides_match_the_cli(cli):
    p = ROOT / "designs/mf8-192.toml"
    r = needlemap.analyze(p, resolution_um=25, seed=7)
    out = cli("analyze", p, "--format", "json", "--no-plots", "--resolution-um", "25",
              "--seed", "7", "--out", ROOT / "out" / "pytest-overrides")
    assert r.metrics == json.loads(out.stdout)["results"][0]["metrics"]
    assert (r.seed, r.resolution_um) == (7, 25.0)


def test_analyze_releases_the_gil():
    design = ROOT / "designs/bench/pen-dense-60.toml"
    count = 0
    done = threading.Event()

    def spin():
        nonlocal count
        while not done.is_set():
            count += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        before = count
        start = time.perf_counter()
        needlemap.analyze(design, resolution_um=50, threads=1)
        took = time.perf_counter() - start
        during = count - before
    finally:
        done.set()
        t.join()
    # With the GIL held for the whole call the spinning thread could not run at all.
    assert took > 0.05, "the design should keep analyze busy long enough to tell"
    assert during > 1000, f"counter advanced only {during} in {took:.2f} s"


@pytest.mark.parametrize("threads", [None, 2])
def test_a_panic_is_an_exception_not_a_crash(threads):
    from needlemap import _needlemap

    with pytest.raises(needlemap.InternalError, match="deliberate panic"):
        _needlemap._panic_for_tests(threads=threads)
    # the module still works afterwards
    assert needlemap.load(ROOT / "designs/mf8-192.toml").name == "mf8-192"
