"""backstride: back-pain prevention and recovery decision support for runners.

Decision support, never a diagnosis. See README.md.
"""

from backstride.domain.activity import Activity, Lap, Sport, Streams, Summary
from backstride.errors import BackstrideError

__all__ = ["Activity", "BackstrideError", "Lap", "Sport", "Streams", "Summary", "__version__"]

__version__ = "0.1.0"
