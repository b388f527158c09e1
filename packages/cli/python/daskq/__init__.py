"""daskq's Python front door: dask-jobqueue's classes (SLURMCluster, PBSCluster, ...), dask-drmaa's
DRMAACluster and pyunicore's UNICORECluster, each a ``distributed`` Cluster whose scheduler and jobs
one ``daskq`` process manages. ``from daskq import SLURMCluster`` replaces ``from dask_jobqueue import
SLURMCluster``."""

from . import config
from ._version import __version__
from .adaptive import Adaptive
from .core import JobQueueCluster
from .drmaa import DRMAACluster
from .lsf import LSFCluster
from .marathon import MarathonCluster
from .moab import MoabCluster
from .pbs import PBSCluster
from .sge import SGECluster
from .slurm import SLURMCluster
from .unicore import UNICORECluster

__all__ = [
    "Adaptive",
    "DRMAACluster",
    "JobQueueCluster",
    "LSFCluster",
    "MarathonCluster",
    "MoabCluster",
    "PBSCluster",
    "SGECluster",
    "SLURMCluster",
    "UNICORECluster",
    "__version__",
    "config",
]
