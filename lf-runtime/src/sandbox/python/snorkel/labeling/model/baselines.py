from snorkel._compat import MajorityLabelVoter, MajorityClassVoter  # noqa: F401
