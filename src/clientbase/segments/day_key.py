"""The key a stored day of facts (segments.cache) is kept under, without the database toolkit:
the quick listing (services.quick_list) reads the stages of a kept day too."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from clientbase import __version__
from clientbase.segments.lifecycle import LifecycleSettings

# Bumped when a rule behind the cached figures changes, so a base never serves figures computed
# by older code (the package version is in the key too).
RULES = 1


def settings_key(settings: LifecycleSettings) -> str:
    data = json.dumps({"rules": RULES, "version": __version__, **asdict(settings)},
                      sort_keys=True)  # fmt: skip
    return hashlib.sha256(data.encode()).hexdigest()
