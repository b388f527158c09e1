"""daskq's scheduler preload (``dask scheduler --preload <this file>``).

Adds one read-only handler, ``daskq_resource_demand``: the resources that tasks ask for
(``resources={"GPU": 1}``), grouped, with how many such tasks are unrunnable (no current worker
provides the resources) and how many are processing on workers. daskq grows only a pool whose
workers provide them. No distributed RPC exposes this. Works on distributed 2022.12 through 2026
(``Scheduler.unrunnable`` is a set of TaskState there, a dict keyed by TaskState later).
"""


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


def dask_setup(scheduler):
    def daskq_resource_demand():
        return resource_demand(scheduler)

    scheduler.handlers["daskq_resource_demand"] = daskq_resource_demand
