from snorkel._compat import Preprocessor, LambdaPreprocessor, preprocessor  # noqa: F401
from snorkel._compat import BaseMapper as BasePreprocessor  # noqa: F401
