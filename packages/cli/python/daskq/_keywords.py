"""dask-jobqueue's keywords -> daskq's jobqueue keys, its deprecation warnings, and dask.config."""

from __future__ import annotations

import warnings
from typing import Any, Iterable

import dask.config

#: dask-jobqueue 0.9's renamed keywords: old -> new, with its warning text.
DEPRECATED = {
    "extra": "worker_extra_args",
    "job_extra": "job_extra_directives",
    "env_extra": "job_script_prologue",
    "header_skip": "job_directives_skip",
}


def _deprecation_text(old: str, new: str) -> str:
    return (
        f"{old} has been renamed to {new}. "
        "You are still using it (even if only set to []; please also check config files). "
        f"If you did not set {new} yet, {old} will be respected for now, "
        "but it will be removed in a future release. "
        f"If you already set {new}, {old} is ignored and you can remove it."
    )


def kebab(name: str) -> str:
    return name.replace("_", "-")


def apply_deprecated(kwargs: dict) -> dict:
    """Replaces dask-jobqueue's deprecated keywords by the new ones, warning as dask-jobqueue does."""
    kwargs = dict(kwargs)
    for old, new in DEPRECATED.items():
        if old not in kwargs:
            continue
        value = kwargs.pop(old)
        if value is None:
            continue
        warnings.warn(_deprecation_text(old, new), FutureWarning, stacklevel=4)
        if not kwargs.get(new):
            kwargs[new] = value
    return kwargs


def to_json(value: Any) -> Any:
    """A keyword's value as daskq reads it: sets and tuples become lists, the rest is JSON already."""
    if isinstance(value, (set, frozenset, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


def job_options(cls_name: str, kwargs: dict, known: Iterable[str]) -> dict:
    """Keywords -> jobqueue keys (kebab-case). A keyword naming no key of the backend is a TypeError."""
    names = set(known)
    options = {}
    for key, value in kwargs.items():
        name = kebab(key)
        if name not in names:
            raise TypeError(f"{cls_name}.__init__() got an unexpected keyword argument {key!r}")
        if value is not None:
            options[name] = to_json(value)
    return options


def process_config(section: str, known: Iterable[str]) -> dict:
    """
    The ``jobqueue.<section>`` values that this Python process set itself (``dask.config.set``,
    ``dask.config.update``, an imported package's defaults that differ): what dask.config holds
    minus what it would read from the YAML files and ``DASK_*`` variables alone. daskq reads those
    files and variables itself, exactly as the CLI does, so they are not passed twice; the values
    set in process go to daskq as options, below the keywords.
    """
    names = set(known)
    current = _section(dask.config.config, section)
    from_files = _section(dask.config.collect(), section)
    defaults: dict = {}
    for d in dask.config.defaults:
        defaults.update(_section(d, section))
    chosen = {}
    for key, value in current.items():
        name = kebab(key)
        if name not in names or value is None:
            continue
        if name in from_files and from_files[name] == value:
            continue
        if name not in from_files and name in defaults and defaults[name] == value:
            continue  # a package's default (e.g. dask_jobqueue's jobqueue.yaml), not a choice of this process
        chosen[name] = to_json(value)
    return chosen


def _section(config: dict, section: str) -> dict:
    jobqueue = config.get("jobqueue") or {}
    found = jobqueue.get(section)
    if found is None:
        found = next((v for k, v in jobqueue.items() if kebab(k) == kebab(section)), None)
    return {kebab(k): v for k, v in (found or {}).items()}
