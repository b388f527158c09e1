"""``LSFCluster``: dask-jobqueue's LSFCluster (IBM Spectrum LSF), driven by daskq's ``lsf`` backend."""

from .core import JobQueueCluster


class LSFCluster(JobQueueCluster):
    """Dask workers as IBM Spectrum LSF jobs; keywords as dask-jobqueue's LSFCluster (see ``daskq config --backend lsf``)."""

    backend = "lsf"


__all__ = ["LSFCluster"]
