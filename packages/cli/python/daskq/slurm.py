"""``SLURMCluster``: dask-jobqueue's SLURMCluster (Slurm), driven by daskq's ``slurm`` backend."""

from .core import JobQueueCluster


class SLURMCluster(JobQueueCluster):
    """Dask workers as Slurm jobs; keywords as dask-jobqueue's SLURMCluster (see ``daskq config --backend slurm``)."""

    backend = "slurm"


__all__ = ["SLURMCluster"]
