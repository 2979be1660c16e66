"""The one error tree of backstride.

Every error the package raises on purpose derives from :class:`BackstrideError`.
The CLI and HTTP edges translate these into a one-line message (``str(error)``)
and never show a traceback for them::

    BackstrideError
    ├── ConfigError                 bad settings or environment
    ├── InputError                  something the user gave us is wrong
    │   ├── ActivityFileError       one activity file or archive entry (names the file)
    │   │   ├── UnsupportedFormatError  not FIT, GPX, TCX, gzip or zip
    │   │   ├── CorruptFileError        structure broken beyond what we can keep
    │   │   ├── NoActivityError         a valid file with no activity data in it
    │   │   ├── UnsafeInputError        XML entities, zip bombs, path traversal
    │   │   └── FileTooLargeError       over a configured size limit
    │   └── AnswersError            a check answers file with a bad key or value
    ├── StorageError                the database refused or is unreachable
    └── NotFoundError               a stored object that does not exist
"""

from __future__ import annotations

__all__ = [
    "ActivityFileError",
    "AnswersError",
    "BackstrideError",
    "ConfigError",
    "CorruptFileError",
    "FileTooLargeError",
    "InputError",
    "NoActivityError",
    "NotFoundError",
    "StorageError",
    "UnsafeInputError",
    "UnsupportedFormatError",
]


class BackstrideError(Exception):
    """Base class of every error backstride raises on purpose."""


class ConfigError(BackstrideError):
    """A setting or environment variable has an unusable value."""


class InputError(BackstrideError):
    """Input supplied by the user is wrong; the message says what and where."""


class ActivityFileError(InputError):
    """An activity file (or archive entry) could not be read.

    Parameters
    ----------
    source
        The file name or ``archive.zip!entry`` path, as the user would recognise it.
    reason
        One line, in plain words, saying what is wrong.
    offset
        Byte offset where the problem was found, when known.
    """

    def __init__(self, source: str, reason: str, *, offset: int | None = None) -> None:
        self.source = source
        self.reason = reason
        self.offset = offset
        super().__init__(f"{source}: {reason}")

    def with_source(self, source: str) -> ActivityFileError:
        """Return a copy of this error naming ``source`` instead (same class)."""
        clone = type(self).__new__(type(self))
        ActivityFileError.__init__(clone, source, self.reason, offset=self.offset)
        return clone


class UnsupportedFormatError(ActivityFileError):
    """The content is not a format backstride reads."""


class CorruptFileError(ActivityFileError):
    """The file is damaged so badly that nothing usable could be kept."""


class NoActivityError(ActivityFileError):
    """The file is valid but holds no activity (settings file, empty track...)."""


class UnsafeInputError(ActivityFileError):
    """The file tries something dangerous: entity expansion, a zip bomb, ``..`` paths."""


class FileTooLargeError(ActivityFileError):
    """The file is larger than the configured limit."""


class AnswersError(InputError):
    """A check answers file has an unknown key or an out-of-range value."""


class StorageError(BackstrideError):
    """The database could not be opened, migrated or written."""


class NotFoundError(BackstrideError):
    """A requested stored object does not exist."""
