"""Keys of people's data: a master key from settings wraps the data keys kept in the database."""
