"""Name comparison for dedupe: its home is :mod:`clientbase.normalize.name_match`, low enough
for importers to use the same rule (who may be one person) as the matcher."""

from clientbase.normalize.name_match import *  # noqa: F403
from clientbase.normalize.name_match import __all__  # noqa: F401
