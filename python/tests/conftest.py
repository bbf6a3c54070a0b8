"""Shared fixtures: the repository root, the CLI binary and its outputs to compare with."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESIGNS = sorted((ROOT / "designs").glob("*.toml"))


def cli_path() -> Path:
    """The release CLI (NEEDLEMAP_BIN, else target/release/needlemap, built if missing)."""
    env = os.environ.get("NEEDLEMAP_BIN")
    if env:
        return Path(env)
    exe = ROOT / "target" / "release" / "needlemap"
    if not exe.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--locked", "--bin", "needlemap"],
            cwd=ROOT,
            check=True,
        )
    return exe


@pytest.fixture(scope="session")
def cli():
    exe = cli_path()

    def run(*args, check=True):
        return subprocess.run(
            [str(exe), "--quiet", *map(str, args)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=check,
        )

    return run


@pytest.fixture(scope="session")
def cli_analyze(cli, tmp_path_factory):
    """`needlemap analyze designs/*.toml --format json --no-plots`: (results by name, out dir)."""
    out = tmp_path_factory.mktemp("cli-out")
    p = subprocess.run(
        [str(cli_path()), "analyze", *map(str, DESIGNS), "--format", "json", "--no-plots",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    doc = json.loads(p.stdout)
    return {r["name"]: r for r in doc["results"]}, out
