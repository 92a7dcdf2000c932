from snorkel._compat import LFAnalysis  # noqa: F401
