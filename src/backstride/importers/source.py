"""What an importer reads: the bytes of one file or archive member, with its name.

Archive readers and folder walkers produce :class:`Source` objects; format parsers
turn one Source into Activities. The name is what the user sees in messages
(``export.zip!activities/123.fit.gz`` for archive members).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backstride.domain.activity import Sport

__all__ = ["Source", "SourceMeta"]


@dataclass(frozen=True, slots=True)
class SourceMeta:
    """Facts an export archive states about a file (Strava ``activities.csv``).

    They override what the file itself says, because the runner edited them last.
    """

    gear: str | None = None
    sport: Sport | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """One activity file's bytes.

    Attributes
    ----------
    name
        Display name: the path as given, or ``archive!member`` inside archives.
    data
        The raw bytes (possibly gzip-compressed; the reader handles that).
    meta
        Archive-level facts about this file.
    """

    name: str
    data: bytes
    meta: SourceMeta = field(default_factory=SourceMeta)
