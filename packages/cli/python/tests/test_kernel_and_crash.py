"""A headless Jupyter kernel drives a cluster; kill -9 of a Python process holding Slurm jobs."""

import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import require_service, slurm_up

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_headless_jupyter_kernel_creates_scales_shows_and_closes_a_cluster():
    jupyter_client = pytest.importorskip("jupyter_client") if os.environ.get("CI") != "true" else __import__("jupyter_client")
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3", env=dict(os.environ, PYTHONPATH=PACKAGE_DIR))
    try:
        def run(code):
            outputs = []
            reply = client.execute_interactive(code, timeout=240, output_hook=outputs.append)
            assert reply["content"]["status"] == "ok", reply["content"]
            return outputs

        run("from daskq import JobQueueCluster\nfrom distributed import Client\ncluster = JobQueueCluster(backend='local', cores=1, memory='1GB')")
        run("cluster.scale(1)\nclient = Client(cluster)\nclient.wait_for_workers(1, timeout=120)\nassert client.submit(lambda x: x + 1, 10).result() == 11")
        shown = run("cluster")
        bundles = [o["content"].get("data", {}) for o in shown if o["msg_type"] in ("display_data", "execute_result")]
        html = "".join(b.get("text/html", "") for b in bundles)
        assert "JobQueueCluster" in html and "Jobs running" in html and "Dashboard" in html
        closed = run("client.close(); cluster.close(); print(cluster.status)")
        assert any("Status.closed" in o["content"].get("text", "") for o in closed if o["msg_type"] == "stream")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def squeue(name):
    """This test's jobs (daskq names them <name>-<cluster id>)."""
    out = subprocess.run(["squeue", "-h", "-o", "%i %j %T"], capture_output=True, text=True, timeout=30).stdout
    return [line.split() for line in out.splitlines() if len(line.split()) == 3 and line.split()[1].startswith(name)]


def test_kill_9_of_the_python_process_holding_slurm_jobs_empties_the_queue_within_5_s():
    require_service("Slurm", slurm_up(), "Start it with: bash packages/testing/testbed/slurm.sh")
    name = f"daskq-py-kill-{os.getpid()}"
    code = (
        f"import sys; sys.path.insert(0, {PACKAGE_DIR!r})\n"
        "from daskq import SLURMCluster\n"
        f"c = SLURMCluster(cores=1, memory='100MB', queue='debug', job_name={name!r})\n"
        "c.scale(jobs=4)\n"
        "print('up', flush=True)\n"
        "import time; time.sleep(600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "up"
        deadline = time.time() + 120
        while len(squeue(name)) < 4 and time.time() < deadline:
            time.sleep(0.5)
        assert len(squeue(name)) == 4
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    killed = time.time()
    while squeue(name) and time.time() - killed < 30:
        time.sleep(0.2)
    emptied = time.time() - killed
    assert not squeue(name), "jobs left in the queue 30 s after kill -9"
    assert emptied < 5, f"the queue emptied after {emptied:.1f} s"
