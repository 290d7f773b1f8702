"""States, municipalities and parishes of Venezuela, with the outlines of the states."""
