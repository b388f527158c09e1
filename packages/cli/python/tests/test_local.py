"""The vertical slice on daskq's local backend: start, TLS client, scale, status, logs, close."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import warnings

import dask
import pytest
from distributed import Client
from distributed.core import Status

from daskq import JobQueueCluster


def test_cluster_with_a_client_over_tls_scales_and_closes(daskq_home):
    with JobQueueCluster(backend="local", cores=1, memory="1GB") as cluster:
        assert cluster.scheduler_address.startswith("tls://")
        assert cluster.security.require_encryption
        cluster.scale(2)
        with Client(cluster) as client:
            client.wait_for_workers(2, timeout=90)
            assert client.submit(lambda x: x + 1, 10).result() == 11
        assert cluster.status == Status.running
        assert cluster.status.count("running") == 2
        assert "workers=2" in repr(cluster)
        html = cluster._repr_html_()
        assert "JobQueueCluster" in html and "Jobs running" in html
        logs = cluster.get_logs()
        assert "Scheduler" in logs
        pid = cluster._process.pid
    assert cluster.status == Status.closed
    # daskq exited, and its cluster record is gone (close() removes it)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert os.listdir(daskq_home / "state") == []


def test_a_client_without_the_clusters_certificate_is_refused():
    with JobQueueCluster(backend="local", cores=1, memory="1GB") as cluster:
        with pytest.raises(Exception):
            Client(cluster.scheduler_address, timeout="3s")


def test_unknown_keyword_is_a_type_error_and_bad_value_a_value_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'corez'"):
        JobQueueCluster(backend="local", corez=1, memory="1GB")
    with pytest.raises(ValueError, match=r"jobqueue\.local\.memory: invalid size \"1XB\""):
        JobQueueCluster(backend="local", cores=1, memory="1XB")


def test_deprecated_keywords_warn_as_dask_jobqueue_does():
    with pytest.warns(FutureWarning, match="env_extra has been renamed to job_script_prologue"):
        cluster = JobQueueCluster(backend="local", cores=1, memory="1GB", env_extra=["export DASKQ_TEST_ENV=1"])
    with cluster:
        assert "export DASKQ_TEST_ENV=1" in cluster.job_script()


def test_dask_config_set_in_process_is_honoured_below_keywords(tmp_path, monkeypatch):
    # A config file (read by daskq) says 3GB; this process's dask.config says 2GB; a keyword beats both.
    (tmp_path / "dq.yaml").write_text("jobqueue:\n  local:\n    cores: 1\n    memory: 3GB\n")
    monkeypatch.setenv("DASK_CONFIG", str(tmp_path))
    with JobQueueCluster(backend="local") as cluster:
        assert "--memory-limit 3000000000" in cluster.job_script()
    with dask.config.set({"jobqueue.local.memory": "2GB"}):
        with JobQueueCluster(backend="local") as cluster:
            assert "--memory-limit 2000000000" in cluster.job_script()
        with JobQueueCluster(backend="local", memory="1GB") as cluster:
            assert "--memory-limit 1000000000" in cluster.job_script()


def test_asynchronous_cluster():
    async def main():
        async with JobQueueCluster(backend="local", cores=1, memory="1GB", asynchronous=True) as cluster:
            await cluster.scale(1)
            async with Client(cluster, asynchronous=True) as client:
                await client.wait_for_workers(1)
                assert await client.submit(lambda x: x * 2, 21) == 42
            script = await cluster.job_script()
            assert script.startswith("#!")
        assert cluster.status == Status.closed

    asyncio.run(main())


def test_a_failed_job_raises_nothing_but_warns_with_its_log_tail_and_shows_in_status():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with JobQueueCluster(backend="local", cores=1, memory="1GB", job_script_prologue=["echo daskq-test-prologue-failed >&2", "exit 7"]) as cluster:
            cluster.scale(1)
            deadline = time.time() + 60
            while not cluster.status.failed_jobs and time.time() < deadline:
                time.sleep(0.2)
            failed = cluster.status.failed_jobs
            assert failed, "the job that exits 7 is reported as failed"
            assert "daskq-test-prologue-failed" in (failed[0]["log_tail"] or "")
    texts = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert any("daskq-test-prologue-failed" in t for t in texts)


def test_the_cluster_closes_when_the_python_process_is_killed(tmp_path):
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from daskq import JobQueueCluster\n"
        "c = JobQueueCluster(backend='local', cores=1, memory='1GB'); c.scale(1)\n"
        "from distributed import Client; Client(c).wait_for_workers(1, timeout=90)\n"
        "print(c._process.pid, flush=True)\n"
        "import time; time.sleep(600)\n"
    ) % os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    daskq_pid = int(child.stdout.readline())
    child.send_signal(signal.SIGKILL)
    child.wait()
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            os.kill(daskq_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("daskq did not exit after the Python process holding it was killed")
