"""A person's rights over their data: erasure, a copy of it, and retention."""
