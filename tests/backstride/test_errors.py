"""One error tree rooted in BackstrideError."""

from __future__ import annotations

import inspect

import backstride
from backstride import errors


def test_every_error_derives_from_the_base() -> None:
    members = inspect.getmembers(errors, inspect.isclass)
    classes = [c for _, c in members if issubclass(c, Exception)]
    assert classes
    assert all(issubclass(c, errors.BackstrideError) for c in classes)
    assert set(errors.__all__) == {c.__name__ for c in classes}


def test_file_errors_name_the_file_in_one_line() -> None:
    err = errors.CorruptFileError("runs/a.fit", "file CRC mismatch", offset=12)
    assert str(err) == "runs/a.fit: file CRC mismatch"
    assert "\n" not in str(err)
    moved = err.with_source("export.zip!a.fit")
    assert isinstance(moved, errors.CorruptFileError)
    assert str(moved) == "export.zip!a.fit: file CRC mismatch" and moved.offset == 12


def test_public_names() -> None:
    assert set(backstride.__all__) == {
        "Activity", "BackstrideError", "Lap", "Sport", "Streams", "Summary", "__version__",
    }
