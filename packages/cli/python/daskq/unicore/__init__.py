"""``UNICORECluster``: pyunicore's UNICORECluster, through daskq's ``unicore`` backend (the
scheduler and the workers as UNICORE jobs, reached through UNICORE's port forwarding).

``daskq.unicore.client.Client`` and ``daskq.unicore.credentials`` stand in for pyunicore's, so
pyunicore's example runs with its import lines changed: they only carry the site's URL and the
credential to daskq, which speaks UNICORE's REST API itself."""



from ..core import JobQueueCluster
from . import client, credentials


class UNICORECluster(JobQueueCluster):
    """
    ``UNICORECluster(submitter, queue=..., project=..., threads=..., processes=1)``: ``submitter``
    is a ``daskq.unicore.client.Client`` (or a pyunicore ``Client``: its ``resource_url``), or the
    base URL as a string, or None (``jobqueue.unicore.url``). ``threads``, ``local_port``,
    ``connect_dashboard``, ``local_dashboard_port``, ``scheduler_job_desc`` and ``worker_job_desc``
    are the backend's keys of the same meaning (``daskq config --backend unicore``);
    ``connection_timeout`` is ignored (daskq waits for the forwarded scheduler itself); ``debug``
    logs every decision.
    """

    backend = "unicore"
    #: pyunicore asks nothing of the sort: one core and 1 GiB per job unless configured.
    _class_defaults = {"cores": 1, "memory": "1GiB"}

    def __init__(
        self,
        submitter=None,
        n_workers=0,
        name=None,
        asynchronous=False,
        queue=None,
        project=None,
        threads=None,
        processes=None,
        scheduler_job_desc=None,
        worker_job_desc=None,
        local_port=None,
        connect_dashboard=None,
        local_dashboard_port=None,
        debug=False,
        connection_timeout=None,
        **kwargs,
    ):
        if submitter is not None:
            url = submitter if isinstance(submitter, str) else getattr(submitter, "resource_url", None)
            if not url:
                raise TypeError("submitter must be a daskq.unicore.client.Client, a pyunicore Client or the site's base URL")
            kwargs.setdefault("url", url)
            credential = getattr(submitter, "credential", None)
            if credential is not None:
                for key, value in credential.daskq_options().items():
                    kwargs.setdefault(key, value)
        if queue is not None:
            kwargs.setdefault("queue", queue)
        if project is not None:
            kwargs.setdefault("project", project)
        if processes is not None:
            kwargs.setdefault("processes", processes)
        for key, value in (
            ("threads", threads),
            ("local_port", local_port),
            ("connect_dashboard", connect_dashboard),
            ("dashboard_port", local_dashboard_port),
            ("scheduler_job_description", scheduler_job_desc),
            ("worker_job_description", worker_job_desc),
        ):
            if value is not None:
                kwargs.setdefault(key, value)
        super().__init__(n_workers=n_workers, name=name, asynchronous=asynchronous, verbose=debug, **kwargs)


__all__ = ["UNICORECluster", "client", "credentials"]

