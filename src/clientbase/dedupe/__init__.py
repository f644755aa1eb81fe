"""Finding the same person under several records, merging them, and undoing merges."""
