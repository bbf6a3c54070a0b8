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

try:
    from . import _needlemap  # noqa: F401  (the compiled extension)
except ImportError as e:  # pragma: no cover - the message is the point
    import os as _os

    _here = _os.path.dirname(_os.path.abspath(__file__))
    raise ImportError(
        "needlemap's compiled extension (needlemap._needlemap) is not in "
        f"{_here}: this is the package's source folder, not an installed package. "
        "Install it with `pip install ./python` (from the repository; about 2 to 5 minutes, "
        "it compiles the Rust library) and run Python from another folder than python/, "
        "so that `import needlemap` finds the installed package."
    ) from e

from ._needlemap import (
    LAYERS,
    METRIC_KEYS,
    RANGES,
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
    "RANGES",
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
