"""``Adaptive``: daskq's adaptive policy for a cluster, as dask-drmaa's and distributed's seeds use it."""

from __future__ import annotations

import asyncio

from dask.utils import parse_timedelta


class Adaptive:
    """
    Turns on adaptivity for ``cluster`` (``Adaptive(cluster)``, ``Adaptive(cluster=cluster, minimum=1,
    maximum=10)``, or ``cluster.adapt(...)``, which makes one). daskq decides in whole jobs: queued
    jobs count as capacity, ``max_pending_jobs`` holds, a job with several processes is retired
    whole. Bounds in workers (``minimum``/``maximum``), jobs, cores or memory; ``interval`` and
    ``target_duration`` as in distributed ("500ms", "5s" or seconds). ``stop()`` keeps the cluster
    at its current size.
    """

    def __init__(
        self,
        cluster=None,
        minimum=None,
        maximum=None,
        minimum_jobs=None,
        maximum_jobs=None,
        minimum_cores=None,
        maximum_cores=None,
        minimum_memory=None,
        maximum_memory=None,
        interval=None,
        wait_count=None,
        target_duration=None,
        scheduler=None,
    ):
        if cluster is None:
            raise TypeError("Adaptive() needs the cluster: Adaptive(cluster)")
        self.cluster = cluster
        self.minimum = minimum
        self.maximum = maximum
        fields = {
            "minimum": minimum,
            "maximum": maximum,
            "minimumJobs": minimum_jobs,
            "maximumJobs": maximum_jobs,
            "minimumCores": minimum_cores,
            "maximumCores": maximum_cores,
            "minimumMemory": minimum_memory,
            "maximumMemory": maximum_memory,
            "interval": None if interval is None else parse_timedelta(interval, default="ms"),
            "waitCount": wait_count,
            "targetDuration": None if target_duration is None else parse_timedelta(target_duration),
        }
        self._fields = {k: v for k, v in fields.items() if v is not None}
        previous = getattr(cluster, "_adaptive", None)
        cluster._adaptive = self
        #: Truthy while adapting (distributed's widget and repr read it).
        self.periodic_callback = True
        started = cluster.sync(cluster._request, "adapt", **self._fields)
        if asyncio.isfuture(started) or asyncio.iscoroutine(started):
            self._started = asyncio.ensure_future(started)
        elif previous is not None and previous is not self:
            previous.periodic_callback = None

    def stop(self) -> None:
        """Stops adapting; the cluster keeps its current jobs."""
        if not self.periodic_callback:
            return
        self.periodic_callback = None
        if getattr(self.cluster, "_adaptive", None) is self:
            self.cluster._adaptive = None
        if self.cluster._process is not None and self.cluster._lifecycle.name == "running":
            stopped = self.cluster.sync(self.cluster._request, "stop_adapt")
            if asyncio.iscoroutine(stopped):
                asyncio.ensure_future(stopped)

    def __repr__(self):
        state = "adapting" if self.periodic_callback else "stopped"
        return f"<daskq.Adaptive {state} {self._fields}>"
