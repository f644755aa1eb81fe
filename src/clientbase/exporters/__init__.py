"""Audience exports for ad platforms: presets as data, per-platform rendering and hashing."""
