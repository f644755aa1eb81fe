"""The filter language, saved segments and lifecycle stages."""
