"""The one exception the job raises for what the user must fix."""


class JobError(Exception):
    """A problem with the job or its input that the user must fix; the message names the file and line."""
