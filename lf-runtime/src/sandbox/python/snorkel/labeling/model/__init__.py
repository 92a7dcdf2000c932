from snorkel._compat import LabelModel, MajorityLabelVoter  # noqa: F401
