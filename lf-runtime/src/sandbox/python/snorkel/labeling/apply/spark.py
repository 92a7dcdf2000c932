from snorkel._compat import SparkLFApplier  # noqa: F401
