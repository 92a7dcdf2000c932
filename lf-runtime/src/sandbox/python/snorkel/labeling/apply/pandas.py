from snorkel._compat import PandasLFApplier  # noqa: F401
