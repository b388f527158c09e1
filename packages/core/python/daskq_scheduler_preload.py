"""daskq's scheduler preload (``dask scheduler --preload <this file>``).

Adds two handlers:

- ``daskq_resource_demand`` (read-only): the resources that tasks ask for (``resources={"GPU": 1}``),
  grouped, with how many such tasks are unrunnable (no current worker provides the resources) and
  how many are processing on workers. daskq grows only a pool whose workers provide them. No
  distributed RPC exposes this. ``Scheduler.unrunnable`` is a set of TaskState in 2022.12, a dict
  keyed by TaskState later.
- ``daskq_subscribe_worker_status``: distributed's own ``subscribe_worker_status``, but under a name
  the subscriber chooses. distributed registers every subscription as the plugin ``worker-status``
  (2022.12 through 2026), so a second subscriber (a second daskq process attached to the same
  scheduler) silently replaces the first one's stream.

It records which handlers it added under the scheduler metadata key ``["daskq", "preload"]``, so a
client can ask (``get_metadata``) before calling them: an unknown operation gets no answer at all.
Works on distributed 2022.12 through 2026.
"""

from distributed.scheduler import WorkerStatusPlugin

HANDLERS = ["daskq_resource_demand", "daskq_subscribe_worker_status"]


def resource_demand(scheduler):
    """``[{"resources": {"GPU": 1.0}, "unrunnable": 3, "processing": 1}, ...]``.

    Unrunnable tasks without restrictions (every ready task while no worker is connected) count
    under ``"resources": {}``; other unrestricted tasks are left out.
    """
    counts = {}

    def count(ts, field):
        restrictions = getattr(ts, "resource_restrictions", None) or {}
        if not restrictions and field != "unrunnable":
            return
        key = tuple(sorted((str(name), float(amount)) for name, amount in restrictions.items()))
        entry = counts.setdefault(key, {"unrunnable": 0, "processing": 0})
        entry[field] += 1

    for ts in list(scheduler.unrunnable):
        count(ts, "unrunnable")
    for ws in list(scheduler.workers.values()):
        if ws.resources:
            for ts in list(ws.processing):
                count(ts, "processing")
    return [dict(resources=dict(key), **entry) for key, entry in counts.items()]


class NamedWorkerStatusPlugin(WorkerStatusPlugin):
    """``WorkerStatusPlugin`` registered under its own name (it removes itself by that name too)."""

    def __init__(self, scheduler, comm, name):
        self.name = name
        super().__init__(scheduler, comm)


def subscribe_worker_status(scheduler, comm, name):
    """Streams worker add/remove batches on ``comm`` under plugin ``name``; replies the identity.

    A subscription under the same name (the same subscriber, back after its connection dropped)
    replaces the old one; other names are left alone.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"daskq_subscribe_worker_status needs a non-empty name, got {name!r}")
    if name in scheduler.plugins:
        scheduler.remove_plugin(name=name)
    NamedWorkerStatusPlugin(scheduler, comm, name)
    ident = scheduler.identity()
    for info in ident["workers"].values():
        info.pop("metrics", None)
        info.pop("last_seen", None)
    return ident


def dask_setup(scheduler):
    def daskq_resource_demand():
        return resource_demand(scheduler)

    def daskq_subscribe_worker_status(comm, name=None):
        return subscribe_worker_status(scheduler, comm, name)

    scheduler.handlers["daskq_resource_demand"] = daskq_resource_demand
    scheduler.handlers["daskq_subscribe_worker_status"] = daskq_subscribe_worker_status
    scheduler.set_metadata(keys=["daskq", "preload"], value={"handlers": HANDLERS})
