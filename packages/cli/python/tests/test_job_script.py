"""``print(cluster.job_script())`` equals what ``daskq job-script`` prints for the same settings,
for every backend, with no batch command on PATH (a laptop's)."""

import os
import sys

import pytest

from conftest import cli, no_batch_path

import daskq

CASES = [
    (daskq.SLURMCluster, ["--queue", "debug", "--account", "p"], {"queue": "debug", "account": "p", "job_cpu": 2}, ["--set", "job-cpu=2"]),
    # A PBSCluster is a real cluster: without qstat it cannot learn the flavour, so it is given
    # (daskq job-script alone falls back to PBS Pro: see the test below).
    (daskq.PBSCluster, ["--queue", "regular"], {"queue": "regular", "resource_spec": "select=1:ncpus=2", "flavour": "pro"}, ["--set", "resource-spec=select=1:ncpus=2", "--set", "flavour=pro"]),
    (daskq.MoabCluster, [], {}, ["--set", "flavour=moab"]),
    (daskq.SGECluster, ["--queue", "all.q"], {"queue": "all.q", "project": "p"}, ["--set", "project=p"]),
    (daskq.LSFCluster, ["--queue", "normal"], {"queue": "normal", "lsf_units": "MB"}, ["--set", "lsf-units=MB"]),
    (daskq.DRMAACluster, [], {"template": {"nativeSpecification": "-l h_rt=01:00:00"}}, ["--set", "native-specification=-l h_rt=01:00:00"]),
]


@pytest.mark.parametrize("cls, flags, kwargs, extra", CASES, ids=[c[0].__name__ for c in CASES])
def test_job_script_equals_daskq_job_script_with_no_batch_command_on_path(cls, flags, kwargs, extra, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", no_batch_path(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))  # no user config: both read the same (empty) files
    expected = cli("job-script", "--backend", cls.backend, "--cores", "2", "--memory", "4GB", "--walltime", "01:00:00", "--python", sys.executable, *flags, *extra)
    assert expected.returncode == 0, expected.stderr
    cluster = cls(cores=2, memory="4GB", walltime="01:00:00", **kwargs)
    try:
        assert cluster.job_script() == expected.stdout
        if cls.backend != "drmaa":
            assert cluster.job_header.startswith("#")
    finally:
        cluster.close()


def test_pbs_preview_without_qstat_is_pbs_pro_and_says_so(tmp_path):
    env = dict(os.environ, PATH=no_batch_path(tmp_path), HOME=str(tmp_path))
    shown = cli("job-script", "--backend", "pbs", "--cores", "2", "--memory", "4GB", env=env)
    assert shown.returncode == 0
    assert "#PBS -l select=1:ncpus=2:mem=3815MB" in shown.stdout
    assert "This preview uses PBS Pro's syntax" in shown.stderr
