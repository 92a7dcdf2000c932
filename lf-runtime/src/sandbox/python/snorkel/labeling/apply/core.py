from snorkel._compat import LFApplier, BaseLFApplier  # noqa: F401
