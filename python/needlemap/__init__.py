"""needlemap: design and analysis of microneedle rollers and pens.

The Python face of the ``needlemap`` Rust library: every number is the library's, the same as
the ``needlemap`` command line tool prints.

>>> import needlemap
>>> d = needlemap.load("designs/mf8-192.toml")           # doctest: +SKIP
>>> r = needlemap.analyze(d, resolution_um=20)            # doctest: +SKIP
>>> r.metrics["coverage_fraction"]                        # doctest: +SKIP

Functions: :func:`load`, :func:`analyze`, :func:`compare`, :func:`sweep`, :func:`validate`.
Classes: :class:`Design`, :class:`Result`, :class:`Comparison`.
Exceptions: :class:`DesignError` (a ``ValueError``), :class:`LimitError` (a ``ValueError``),
:class:`InternalError` (a ``RuntimeError``: a bug in needlemap).
"""

from ._needlemap import (
    LAYERS,
    METRIC_KEYS,
    Comparison,
    Design,
    DesignError,
    InternalError,
    LimitError,
    Result,
    __version__,
    analyze,
    compare,
    load,
    sweep,
    validate,
)

__all__ = [
    "LAYERS",
    "METRIC_KEYS",
    "Comparison",
    "Design",
    "DesignError",
    "InternalError",
    "LimitError",
    "Result",
    "__version__",
    "analyze",
    "compare",
    "load",
    "sweep",
    "validate",
]
