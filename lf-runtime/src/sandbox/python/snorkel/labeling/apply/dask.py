from snorkel._compat import DaskLFApplier, PandasParallelLFApplier  # noqa: F401
