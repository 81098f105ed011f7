"""Adapters at the edge: settings, persistence, SQL, migrations and the composition root."""
