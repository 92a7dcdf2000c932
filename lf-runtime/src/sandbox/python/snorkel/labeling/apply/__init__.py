from snorkel._compat import LFApplier, PandasLFApplier  # noqa: F401
