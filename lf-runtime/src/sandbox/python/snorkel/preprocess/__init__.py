from snorkel._compat import Preprocessor, LambdaPreprocessor, preprocessor  # noqa: F401
