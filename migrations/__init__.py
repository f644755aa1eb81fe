"""Alembic environment; shipped inside the package as ``clientbase.migrations``."""
