"""The root of the errors Conflict Atlas raises on purpose.

Every error class of the project derives from :class:`ConflictAtlasError` and, where it is
one, from the built-in it always was (``ValueError`` for bad input, ``FileNotFoundError``
for a missing gazetteer index), so ``except ValueError`` in callers keeps working and
``except ConflictAtlasError`` catches whatever the project itself refused. The CLI prints
such an error as one line and exits with status 2.
"""

from __future__ import annotations


class ConflictAtlasError(Exception):
    """An error Conflict Atlas raised on purpose: bad input, a missing index, a refused
    write. Anything else is a bug."""
