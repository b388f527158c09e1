"""``PBSCluster``: dask-jobqueue's PBSCluster (PBS Pro/OpenPBS and Torque), driven by daskq's ``pbs`` backend."""

from .core import JobQueueCluster


class PBSCluster(JobQueueCluster):
    """Dask workers as PBS Pro/OpenPBS and Torque jobs; keywords as dask-jobqueue's PBSCluster (see ``daskq config --backend pbs``)."""

    backend = "pbs"


__all__ = ["PBSCluster"]
