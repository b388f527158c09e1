"""``MoabCluster``: dask-jobqueue's MoabCluster (PBS with Moab's msub/showq/canceljob), driven by daskq's ``pbs`` backend."""

from .pbs import PBSCluster


class MoabCluster(PBSCluster):
    """PBS jobs through Moab: daskq's ``pbs`` backend with ``flavour: moab`` unless configured."""

    _class_defaults = {"flavour": "moab"}


__all__ = ["MoabCluster"]
