"""The ehospital-dashboard command line."""
