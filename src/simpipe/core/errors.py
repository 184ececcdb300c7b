"""User-facing errors: one line that names the file or key, the value and the fix."""


class SimpipeError(Exception):
    """An input or configuration problem the user can fix; the CLI prints it as one line."""


class DataError(SimpipeError):
    """A raw or prepared data file is missing or malformed."""


class ConfigError(SimpipeError):
    """A configuration key or value is invalid."""
