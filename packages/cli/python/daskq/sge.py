"""``SGECluster``: dask-jobqueue's SGECluster (Son of Grid Engine / Grid Engine), driven by daskq's ``sge`` backend."""

from .core import JobQueueCluster


class SGECluster(JobQueueCluster):
    """Dask workers as Son of Grid Engine / Grid Engine jobs; keywords as dask-jobqueue's SGECluster (see ``daskq config --backend sge``)."""

    backend = "sge"


__all__ = ["SGECluster"]
