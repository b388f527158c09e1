"""``cluster.status``: distributed's lifecycle Status, plus what daskq knows about the jobs."""

from __future__ import annotations

from distributed.core import Status


class ClusterStatus:
    """
    Compares equal to the cluster's lifecycle ``distributed.core.Status`` (``cluster.status ==
    Status.running``), so distributed's own checks keep working, and carries the jobs: ``jobs``
    (id -> state), ``failed_jobs`` (each with its reason and log tail) and ``cluster_errors``.
    """

    def __init__(self, lifecycle: Status, jobs: dict, failed: list, errors: list):
        self.lifecycle = lifecycle
        self.jobs = dict(jobs)
        self.failed_jobs = list(failed)
        self.cluster_errors = list(errors)

    @property
    def name(self) -> str:
        return self.lifecycle.name

    @property
    def value(self):
        return self.lifecycle.value

    def count(self, state: str) -> int:
        return sum(1 for s in self.jobs.values() if s == state)

    def __eq__(self, other):
        if isinstance(other, ClusterStatus):
            return self.lifecycle == other.lifecycle
        return self.lifecycle == other

    def __hash__(self):
        return hash(self.lifecycle)

    def __repr__(self):
        text = f"<{self.lifecycle}: jobs {self.count('running')} running, {self.count('queued')} queued, {len(self.failed_jobs)} failed"
        if self.failed_jobs:
            last = self.failed_jobs[-1]
            text += f" (last: {last['job']}{': ' + last['reason'] if last.get('reason') else ''})"
        return text + ">"

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><td style="text-align: left;">{label}</td><td style="text-align: left;">{value}</td></tr>'
            for label, value in (
                ("Jobs running", self.count("running")),
                ("Jobs queued", self.count("queued")),
                ("Jobs failed", len(self.failed_jobs)),
            )
        )
        for failed in self.failed_jobs[-3:]:
            tail = (failed.get("log_tail") or "").replace("&", "&amp;").replace("<", "&lt;")
            rows += f'<tr><td style="text-align: left;">Job {failed["job"]}</td><td style="text-align: left;"><pre>{tail[-800:]}</pre></td></tr>'
        return f"<table>{rows}</table>"
