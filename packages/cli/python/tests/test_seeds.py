"""The seeds' Python examples with only their import lines changed (``from daskq import ...``), each
computing with a real Python client: PBS on the PBS EMULATOR, Slurm and SGE's libdrmaa for real,
UNICORE on the UNICORE EMULATOR. Sizes are the test machine's (2 cores), see the package README."""

import time

import pytest
from dask.distributed import Client

from conftest import require_service, sge_up, slurm_up


def test_dask_jobqueue_readme_pbs_cluster_scale_10_then_client(pbs_emulator, monkeypatch):
    monkeypatch.setenv("DASKQ_PBS_EMULATOR_QUEUES", "regular")
    from daskq import PBSCluster

    cluster = PBSCluster(cores=1, memory="1GB", queue="regular", processes=1)
    cluster.scale(10)

    client = Client(cluster)
    try:
        client.wait_for_workers(10, timeout=300)
        assert sum(client.gather(client.map(lambda x: x * x, range(100)))) == 328350
        assert "#PBS -q regular" in cluster.job_script()
    finally:
        client.close()
        cluster.close()


def test_dask_jobqueue_slurm_cluster_adapt_minimum_maximum_on_real_slurm():
    require_service("Slurm", slurm_up(), "Start it with: bash packages/testing/testbed/slurm.sh")
    from daskq import SLURMCluster

    cluster = SLURMCluster(cores=1, memory="500MB", queue="debug", walltime="00:10:00")
    cluster.adapt(minimum=1, maximum=3)
    client = Client(cluster)
    try:
        client.wait_for_workers(1, timeout=180)
        assert client.submit(lambda x: x + 1, 10).result() == 11
        futures = client.map(lambda x: (time.sleep(0.5), x)[1], range(40))
        assert sum(client.gather(futures)) == sum(range(40))
        assert 1 <= cluster.status.count("running") + cluster.status.count("queued") <= 3
    finally:
        client.close()
        cluster.close()
    assert cluster.status.count("running") == 0


def test_dask_drmaa_readme_start_workers_on_real_sge_libdrmaa():
    require_service("Grid Engine DRMAA (libdrmaa)", sge_up(), "Start it with: bash packages/testing/testbed/sge.sh && bash packages/testing/testbed/drmaa.sh")
    from daskq import DRMAACluster

    cluster = DRMAACluster()

    from dask.distributed import Client

    client = Client(cluster)
    cluster.start_workers(2)

    future = client.submit(lambda x: x + 1, 10)
    try:
        assert future.result(timeout=300) == 11
        client.wait_for_workers(2, timeout=300)
    finally:
        client.close()
        cluster.close()


def test_dask_drmaa_readme_adaptive_on_real_sge_libdrmaa():
    require_service("Grid Engine DRMAA (libdrmaa)", sge_up(), "Start it with: bash packages/testing/testbed/sge.sh && bash packages/testing/testbed/drmaa.sh")
    from daskq import DRMAACluster
    from dask.distributed import Client

    cluster = DRMAACluster()
    cluster.adapt()
    client = Client(cluster)

    def func(x):
        return x + 1

    seq = range(20)
    try:
        futures = client.map(func, seq)  # workers will be created as necessary
        assert client.gather(futures, errors="raise") == [x + 1 for x in seq]
    finally:
        client.close()
        cluster.close()


def test_pyunicore_dask_example_scale_2_wait_for_startup_on_the_unicore_emulator(unicore_emulator):
    import daskq.unicore.client as uc_client
    import daskq.unicore.credentials as uc_credentials
    import daskq.unicore as uc_dask

    # Create a UNICORE client for accessing the HPC cluster
    base_url = unicore_emulator
    credential = uc_credentials.UsernamePassword("demouser", "test123")
    submitter = uc_client.Client(credential, base_url)

    # Create the UNICORECluster instance
    uc_cluster = uc_dask.UNICORECluster(submitter, queue="batch", project="my-project", debug=True)

    # Start two workers
    uc_cluster.scale(2, wait_for_startup=True)

    # Create a Dask client connected to the UNICORECluster
    from dask.distributed import Client

    dask_client = Client(uc_cluster, timeout=120)
    try:
        assert dask_client.submit(lambda x: x + 1, 10).result() == 11
        assert len(dask_client.scheduler_info()["workers"]) == 2
    finally:
        dask_client.close()
        uc_cluster.close()
