"""District boundaries and the spatial checks the map relies on."""
