"""Shared pieces of the Python package's tests: the repository's built daskq, a private DASKQ_HOME,
and the real services (Slurm, SGE's libdrmaa) or the emulators (PBS, UNICORE) they run against."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
CLI = os.path.join(ROOT, "packages", "cli", "dist", "bin.js")
PBS_EMULATOR_BIN = os.path.join(ROOT, "packages", "testing", "emulators", "pbs", "bin")
PYTHON = "/usr/bin/python3"
sys.path.insert(0, os.path.dirname(HERE))


def require_service(name: str, present: bool, how: str) -> None:
    """Skips without the service; under CI=true a missing service fails (as in the vitest suite)."""
    if present:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"[daskq:testing] {name} is required under CI=true but is not available. {how}")
    pytest.skip(f"{name} is not available. {how}")


def slurm_up() -> bool:
    if not shutil.which("sinfo"):
        return False
    return subprocess.run(["sinfo", "-h", "-p", "debug"], capture_output=True, timeout=30).returncode == 0


def sge_up() -> bool:
    return bool(shutil.which("qconf")) and subprocess.run(["qconf", "-sql"], capture_output=True, timeout=30).returncode == 0


@pytest.fixture(autouse=True)
def daskq_home(tmp_path, monkeypatch):
    """Every test's clusters record themselves and their TLS material under its own temp dir."""
    home = tmp_path / "daskq-home"
    home.mkdir()
    monkeypatch.setenv("DASKQ_HOME", str(home))
    monkeypatch.setenv("DASKQ_CLI", CLI)
    return home


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs the repository's daskq command line."""
    return subprocess.run(["node", CLI, *args], capture_output=True, text=True, env=env or os.environ.copy(), timeout=120)


@pytest.fixture
def pbs_emulator(tmp_path, monkeypatch):
    """The PBS EMULATOR (PBS Pro flavour) first on PATH for daskq: qsub/qstat/qdel as real local processes."""
    state = tmp_path / "pbs-state"
    monkeypatch.setenv("PATH", PBS_EMULATOR_BIN + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("DASKQ_PBS_EMULATOR_FLAVOUR", "pro")
    monkeypatch.setenv("DASKQ_PBS_EMULATOR_STATE", str(state))
    return state


@pytest.fixture
def unicore_emulator(monkeypatch):
    """The UNICORE EMULATOR of @daskq/testing (an HTTP server; jobs are local processes), in a Node process."""
    script = (
        "const { UnicoreEmulator } = await import('@daskq/testing');"
        "const e = await UnicoreEmulator.start({ queueDelayMs: 200 });"
        "process.stdout.write(JSON.stringify({ url: e.baseUrl }) + '\\n');"
        "process.stdin.on('end', () => e.stop().then(() => process.exit(0))); process.stdin.resume();"
    )
    proc = subprocess.Popen(["node", "--input-type=module", "-e", script], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = json.loads(proc.stdout.readline())["url"]
        monkeypatch.setenv("UNICORE_PASSWORD", "test123")
        yield url
    finally:
        proc.stdin.close()
        proc.wait(60)


def no_batch_path(tmp_path) -> str:
    """A PATH with every program of this machine but the batch systems' commands (a laptop's)."""
    batch = {
        "sbatch", "squeue", "scancel", "sinfo", "scontrol", "srun", "salloc", "sacct", "qsub", "qstat", "qdel",
        "qselect", "qconf", "qhost", "qalter", "qrsh", "msub", "showq", "canceljob", "bsub", "bjobs", "bkill", "lsid", "lsadmin",
    }
    folder = tmp_path / "no-batch-bin"
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory) or directory == PBS_EMULATOR_BIN:
            continue
        for name in os.listdir(directory):
            target = folder / name
            if name in batch or target.exists():
                continue
            target.symlink_to(os.path.join(directory, name))
    return str(folder)
