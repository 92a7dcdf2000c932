from snorkel._compat import BaseMapper, LambdaMapper, Mapper, lambda_mapper  # noqa: F401
