from snorkel._compat import LabelModel  # noqa: F401
