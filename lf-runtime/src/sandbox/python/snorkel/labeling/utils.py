from snorkel._compat import filter_unlabeled_dataframe  # noqa: F401
