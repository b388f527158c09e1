"""``JobQueueCluster``: a ``distributed`` Cluster whose scheduler and jobs a daskq process manages."""

from __future__ import annotations

import asyncio
import datetime
import logging
import math
import sys
import warnings
from typing import Any

import dask.config
from dask.utils import parse_bytes
from distributed.core import Status, rpc
from distributed.deploy.cluster import Cluster
from distributed.security import Security

from . import _keywords
from ._process import DaskqProcess
from ._status import ClusterStatus

logger = logging.getLogger("daskq")

#: Keywords of the cluster itself (not jobqueue keys of the backend).
_CLUSTER_KEYWORDS = ("n_workers", "loop", "security", "silence_logs", "name", "asynchronous", "scheduler_options", "config_name")


class JobQueueCluster(Cluster):
    """
    A Dask cluster on a batch system, with dask-jobqueue 0.9's keywords, driven by daskq.

    ``JobQueueCluster(backend="slurmrest", cores=4, memory="8GB")`` works for any installed daskq
    backend (``daskq backends``), a third party's included; ``SLURMCluster``, ``PBSCluster``, ...
    fix the backend. Every jobqueue key of the backend is a keyword (``job_extra_directives``,
    ``max_pending_jobs``, ...); values come, lowest first, from daskq's defaults, the dask config
    files and ``DASK_JOBQUEUE__*`` variables (read by daskq itself, as ``daskq`` does), this
    process's ``dask.config`` (``dask.config.set({"jobqueue.slurm.cores": 4})``), then keywords.

    Starting it starts one ``daskq control --stdio`` process, which starts the Dask scheduler (TLS
    with a private CA by default) and submits, watches and cancels the jobs. ``Client(cluster)``
    connects with the cluster's certificate. When this Python process ends, daskq closes the cluster.

    Parameters (besides the jobqueue keys)
    ----------
    n_workers : int
        Workers to start with (``scale(n_workers)``).
    backend : str
        The daskq backend (only for ``JobQueueCluster`` itself).
    config_name : str
        Read ``jobqueue.<config_name>`` instead of ``jobqueue.<backend>``.
    security : None, True, False or distributed.Security
        None or True: TLS with certificates daskq makes (the default); False: plain TCP; a
        ``Security`` with ``tls_ca_file``/``tls_client_cert``/``tls_client_key``: those files.
    scheduler_options : dict
        ``host``, ``port``, ``dashboard_address``, ``interface``, ``protocol`` of the scheduler.
    asynchronous : bool
        Use ``await JobQueueCluster(..., asynchronous=True)`` and await its methods.
    poll_interval : float
        Seconds between batch status polls (daskq's default 2).
    """

    #: The daskq backend; subclasses set it.
    backend: str | None = None
    #: jobqueue keys a subclass fixes unless given (MoabCluster: flavour moab).
    _class_defaults: dict = {}

    def __init__(
        self,
        n_workers=0,
        backend=None,
        loop=None,
        security=None,
        silence_logs="error",
        name=None,
        asynchronous=False,
        dashboard_address=None,
        host=None,
        scheduler_options=None,
        config_name=None,
        job_name=None,
        poll_interval=None,
        verbose=False,
        **job_kwargs,
    ):
        self._lifecycle = Status.created
        self._jobs: dict = {}
        self._failed: list = []
        self._errors: list = []
        self._own_workers: set = set()
        self._process: DaskqProcess | None = None
        self._info: dict = {}
        self._job: dict = {}
        cls_name = type(self).__name__
        self._backend = backend or type(self).backend
        if self._backend is None:
            raise TypeError(f"{cls_name}() needs backend=..., a daskq backend such as 'slurm' or 'slurmrest' (daskq backends lists them)")
        if dashboard_address is not None:
            raise ValueError(
                "Please pass 'dashboard_address' through 'scheduler_options': use\n"
                f'cluster = {cls_name}(..., scheduler_options={{"dashboard_address": ":12345"}}) rather than\n'
                f'cluster = {cls_name}(..., dashboard_address="12435")'
            )
        if host is not None:
            raise ValueError(
                "Please pass 'host' through 'scheduler_options': use\n"
                f'cluster = {cls_name}(..., scheduler_options={{"host": "your-host"}}) rather than\n'
                f'cluster = {cls_name}(..., host="your-host")'
            )
        self._config_name = config_name
        self._section = config_name or self._backend
        kwargs = _keywords.apply_deprecated(job_kwargs)
        if job_name is not None:
            kwargs["name"] = job_name
        if scheduler_options is not None:
            kwargs["scheduler_options"] = scheduler_options
        self._kwargs = kwargs
        self._tls = _tls_setting(security)
        self._poll_interval = poll_interval
        self._verbose = verbose
        self._n_workers = n_workers
        super().__init__(asynchronous=asynchronous, loop=loop, name=name, quiet=True)
        if not self.asynchronous:
            self._loop_runner.start()
            try:
                self.sync(self._start)
            except BaseException:
                self._loop_runner.stop()
                raise

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def status(self) -> ClusterStatus:
        """The lifecycle (``== Status.running``) with the jobs: running, queued, failed (with log tails)."""
        return ClusterStatus(self._lifecycle, self._jobs, self._failed, self._errors)

    @status.setter
    def status(self, value) -> None:
        self._lifecycle = value.lifecycle if isinstance(value, ClusterStatus) else value

    def __await__(self):
        async def start():
            if self._lifecycle == Status.created:
                await self._start()
            return self

        return start().__await__()

    async def _start(self):
        if self._lifecycle != Status.created:
            return
        self._lifecycle = Status.starting
        process = DaskqProcess(self._on_event, self._on_log)
        self._process = process
        try:
            await process.start(verbose=self._verbose)
            described = await process.request("describe", backend=self._backend, configName=self._config_name)
            self._job = self._job_options(described)
            self._info = await process.request(
                "create",
                backend=self._backend,
                configName=self._config_name,
                job=self._job,
                tls=self._tls,
                pollInterval=self._poll_interval,
            )
            tls = self._info.get("tls")
            self.security = (
                Security(tls_ca_file=tls["ca"], tls_client_cert=tls["cert"], tls_client_key=tls["key"], require_encryption=True)
                if tls
                else Security()
            )
            self.scheduler_comm = rpc(self._info["schedulerAddress"], connection_args=self.security.get_connection_args("client"))
            await super()._start()
        except BaseException:
            self._lifecycle = Status.failed
            await process.finish()
            raise
        if self._n_workers:
            await self._scale({"workers": self._n_workers}, wait=False)

    def _job_options(self, described: dict) -> dict:
        """The jobqueue options daskq gets: subclass defaults < this process's dask.config < keywords."""
        known = {k["name"] for k in described["keys"]} | {a for k in described["keys"] for a in k["aliases"]}
        options = {k: v for k, v in self._class_defaults.items() if k not in described.get("configured", [])}
        options.update(_keywords.process_config(self._section, known))
        options.update(_keywords.job_options(type(self).__name__, self._kwargs, known))
        # dask-jobqueue's default: workers run this Python, unless configured.
        if "python" not in options and "python" not in described.get("configured", []):
            options["python"] = sys.executable
        return options

    async def _close(self):
        if self._lifecycle == Status.closed:
            return
        await super()._close()
        process = self._process
        if process is not None:
            try:
                await process.request("close")
            except Exception as error:  # already gone: its watchdog or the closed pipe cleans up
                logger.debug("daskq close: %s", error)
            await process.finish()
        self._lifecycle = Status.closed

    def close(self, timeout=None):
        """Cancels every job, stops the scheduler and the daskq process."""
        result = super().close(timeout)
        if not self.asynchronous:
            self._loop_runner.stop()
        return result

    # -- size --------------------------------------------------------------------------------

    def scale(self, n=None, jobs=0, memory=None, cores=None, wait_for_startup=False):
        """
        Scales to ``n`` workers, or ``jobs`` jobs, or enough jobs for ``memory`` ("100GB") or
        ``cores``; always whole jobs (a job with several processes brings all its workers). Stops
        adaptivity. ``wait_for_startup``: wait until that many workers have joined (pyunicore's).
        """
        if jobs:
            request = {"jobs": int(jobs)}
        elif memory is not None:
            request = {"memory": memory}
        elif cores is not None:
            request = {"cores": cores}
        else:
            request = {"workers": int(n or 0)}
        return self.sync(self._scale, request, wait=wait_for_startup)

    async def _scale(self, request: dict, wait: bool = False):
        await self._request("scale", **request)
        self._adaptive = None
        if wait:
            await self._wait_for_own_workers(self._workers_for(request))

    def _workers_for(self, request: dict) -> int:
        spec = self._info.get("spec") or {}
        processes = spec.get("processes") or 1
        if "jobs" in request:
            jobs = request["jobs"]
        elif "workers" in request:
            jobs = math.ceil(request["workers"] / processes)
        elif "cores" in request:
            jobs = math.ceil(request["cores"] / (spec.get("cores") or 1))
        else:
            memory = parse_bytes(request["memory"]) if isinstance(request["memory"], str) else request["memory"]
            jobs = math.ceil(memory / (spec.get("memory") or 1))
        return jobs * processes

    async def _wait_for_own_workers(self, n: int) -> None:
        errors = len(self._errors)
        while len(self._own_workers) < n:
            if len(self._errors) > errors:
                raise RuntimeError(self._errors[-1])
            if self._lifecycle in (Status.closing, Status.closed):
                raise RuntimeError("the cluster closed before its workers started")
            await asyncio.sleep(0.2)

    def adapt(
        self,
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
        Adaptive=None,
        **kwargs,
    ):
        """
        Lets the load decide the size, in whole jobs, between bounds in workers, jobs, cores or
        memory (daskq's adaptive policy: queued jobs count, several processes retire together).
        ``Adaptive=SomeClass`` uses distributed's adaptive machinery with that class instead.
        """
        if Adaptive is not None:
            return super().adapt(Adaptive=Adaptive, minimum=minimum or 0, maximum=maximum if maximum is not None else math.inf, **kwargs)
        if kwargs:
            raise TypeError(f"adapt() got an unexpected keyword argument {next(iter(kwargs))!r}")
        from .adaptive import Adaptive as DaskqAdaptive

        return DaskqAdaptive(
            self,
            minimum=minimum,
            maximum=maximum,
            minimum_jobs=minimum_jobs,
            maximum_jobs=maximum_jobs,
            minimum_cores=minimum_cores,
            maximum_cores=maximum_cores,
            minimum_memory=minimum_memory,
            maximum_memory=maximum_memory,
            interval=interval,
            wait_count=wait_count,
            target_duration=target_duration,
        )

    # -- job script --------------------------------------------------------------------------

    def job_script(self):
        """The job script of one worker job: what ``daskq job-script`` prints for these settings."""
        return self.sync(self._request, "job_script", backend=self._backend, configName=self._config_name, job=self._job)

    @property
    def job_header(self) -> str:
        """The batch directives of ``job_script()`` (the block after the shebang)."""
        blocks = self.job_script().split("\n\n")
        return blocks[1] if len(blocks) > 1 and not blocks[1].startswith(("/", "set ", "export ")) else ""

    @property
    def job_name(self) -> str | None:
        return (self._info.get("spec") or {}).get("jobName")

    # -- what distributed shows ---------------------------------------------------------------

    @property
    def dashboard_link(self):
        return self._info.get("dashboardLink") or super().dashboard_link

    @property
    def cluster_id(self) -> str | None:
        """daskq's id of the cluster (``daskq ls``)."""
        return self._info.get("clusterId")

    def _repr_html_(self, cluster_status=None):
        return super()._repr_html_(cluster_status=cluster_status or self.status._repr_html_())

    # -- talking to daskq --------------------------------------------------------------------

    async def _request(self, op: str, **fields: Any):
        if self._process is None:
            raise RuntimeError("the cluster is not started")
        return await self._process.request(op, **fields)

    def _on_event(self, message: dict) -> None:
        event = message["event"]
        if event == "job-submitted":
            self._jobs[message["job"]] = "queued"
        elif event == "job-running":
            self._jobs[message["job"]] = "running"
        elif event == "job-ended":
            self._jobs[message["job"]] = message.get("state") or "finished"
        elif event == "job-failed":
            self._jobs[message["job"]] = "failed"
            failed = {"job": message["job"], "reason": message.get("reason"), "log_tail": message.get("logTail"), "start_failure": message.get("startFailure")}
            self._failed.append(failed)
            text = f"daskq: job {failed['job']} failed" + (f": {failed['reason']}" if failed["reason"] else "")
            if failed["log_tail"]:
                text += "\n" + failed["log_tail"]
            warnings.warn(text, RuntimeWarning, stacklevel=1)
        elif event == "worker-joined":
            self._own_workers.add(message["name"])
        elif event == "worker-left":
            self._own_workers.discard(message["name"])
        elif event == "cluster-error":
            self._errors.append(message["message"])
            logger.error("%s", message["message"])
            warnings.warn(message["message"], RuntimeWarning, stacklevel=1)

    def _on_log(self, line: str) -> None:
        self._cluster_manager_logs.append((datetime.datetime.now(), line))
        if line.startswith("daskq error:"):
            logger.error("%s", line)
        elif line.startswith("daskq warning:"):
            logger.warning("%s", line)
        else:
            logger.info("%s", line)


def _tls_setting(security):
    """The ``tls`` of daskq's create: None (daskq's own certificates), False, or the user's files."""
    if security is None or security is True:
        return None
    if security is False:
        return False
    if isinstance(security, Security):
        files = {"ca": security.tls_ca_file, "cert": security.tls_client_cert, "key": security.tls_client_key}
        if not all(files.values()):
            raise ValueError("security: a Security object needs tls_ca_file, tls_client_cert and tls_client_key files (daskq gives them to the scheduler and the workers)")
        return files
    raise TypeError(f"security must be None, True, False or a distributed.Security, got {type(security).__name__}")


__all__ = ["JobQueueCluster"]
