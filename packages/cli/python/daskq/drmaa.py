"""``DRMAACluster``: dask-drmaa's DRMAACluster (start_workers, stop_workers, template), through
daskq's ``drmaa`` backend (libdrmaa; ONE drmaa_run_bulk_jobs for n jobs)."""

from .core import JobQueueCluster

#: dask-drmaa template attributes daskq maps, to jobqueue.drmaa keys.
_TEMPLATE_KEYS = {"nativeSpecification": "native_specification", "jobEnvironment": "env"}


class DRMAACluster(JobQueueCluster):
    """
    ``DRMAACluster(template={'nativeSpecification': '-l h_rt=01:00:00'})``, then
    ``start_workers(n)`` / ``stop_workers(ids)``, or ``adapt()``. Each worker is one job (dask-drmaa's
    default, one process). ``template`` takes ``nativeSpecification`` (verbatim) and
    ``jobEnvironment``; other attributes (``args``, ``remoteCommand``, ...) are daskq's to choose
    and are refused. ``preexec_commands`` become the script's prologue. Every ``jobqueue.drmaa`` key
    is a keyword too.
    """

    backend = "drmaa"

    def __init__(self, template=None, cleanup_interval=None, hostname=None, script=None, preexec_commands=(), copy_script=None, ip=None, **kwargs):
        for key, value in (template or {}).items():
            if key not in _TEMPLATE_KEYS:
                raise ValueError(f"Invalid job template attribute {key} (daskq maps only {', '.join(_TEMPLATE_KEYS)}; it writes the command itself)")
            kwargs.setdefault(_TEMPLATE_KEYS[key], value)
        if preexec_commands:
            kwargs.setdefault("job_script_prologue", list(preexec_commands))
        if script is not None:
            raise TypeError("DRMAACluster(script=...) is not supported: daskq writes the worker command; use preexec_commands or job_script_prologue")
        host = hostname or ip
        if host:
            kwargs.setdefault("scheduler_options", {"host": host})
        self._target = 0
        super().__init__(**kwargs)

    def start_workers(self, n=1, **kwargs):
        """Starts ``n`` more workers (jobs)."""
        if kwargs:
            raise TypeError(
                f"start_workers({', '.join(kwargs)}=...): a daskq cluster has one job template; give it to DRMAACluster(template=...)"
            )
        self._target += int(n)
        return self.scale(self._target)

    def stop_workers(self, worker_ids, sync=False):
        """Stops as many workers as ``worker_ids`` names (daskq picks idle ones, queued jobs first)."""
        if isinstance(worker_ids, str):
            worker_ids = [worker_ids]
        self._target = max(0, self._target - len(list(worker_ids)))
        return self.scale(self._target)

    def scale_up(self, n, **kwargs):
        self._target = int(n)
        return self.scale(self._target)

    def scale_down(self, workers):
        return self.stop_workers(workers)

    def scale(self, n=None, jobs=0, memory=None, cores=None, wait_for_startup=False):
        if n is not None and not jobs and memory is None and cores is None:
            self._target = int(n)
        return super().scale(n, jobs=jobs, memory=memory, cores=cores, wait_for_startup=wait_for_startup)


__all__ = ["DRMAACluster"]
