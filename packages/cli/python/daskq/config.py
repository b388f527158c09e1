"""dask-jobqueue's ``config`` module. daskq reads jobqueue.yaml itself (as the ``daskq`` CLI does),
so there is no package default file to install into ~/.config/dask: ``reconfigure()`` does nothing."""


def reconfigure():
    """Kept for code that calls dask_jobqueue.config.reconfigure(); daskq's defaults live in daskq."""
