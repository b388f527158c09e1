"""``MarathonCluster``: Dask workers as the tasks of ONE Marathon app (daskq's ``marathon`` backend)."""

from .core import JobQueueCluster


class MarathonCluster(JobQueueCluster):
    """
    dask-marathon's keywords map to daskq's: ``marathon_address`` -> ``url``, ``docker_image`` ->
    ``image``, ``cpus`` -> ``cores``, ``mem`` (MB) -> ``memory``. Every ``jobqueue.marathon`` key
    is a keyword too (``daskq config --backend marathon``).
    """

    backend = "marathon"

    def __init__(self, marathon_address=None, docker_image=None, cpus=None, mem=None, **kwargs):
        if marathon_address is not None:
            kwargs.setdefault("url", marathon_address)
        if docker_image is not None:
            kwargs.setdefault("image", docker_image)
        if cpus is not None:
            kwargs.setdefault("cores", cpus)
        if mem is not None:
            kwargs.setdefault("memory", f"{int(mem)}MB")
        super().__init__(**kwargs)


__all__ = ["MarathonCluster"]
