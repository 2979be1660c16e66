"""The back check's content as versioned data, and its loader.

``load_knowledge()`` reads and validates the JSON files of this package once (the only
I/O of the check) and returns a :class:`~backstride.domain.check.Knowledge`.
"""

from __future__ import annotations

from backstride.knowledge.loader import FILES, KnowledgeError, load_knowledge

__all__ = ["FILES", "KnowledgeError", "load_knowledge"]
