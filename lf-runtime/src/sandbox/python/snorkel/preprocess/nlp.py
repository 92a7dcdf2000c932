from snorkel._compat import SpacyPreprocessor, EN_CORE_WEB_SM  # noqa: F401
