"""The demo: reference data and the generator that seeds a demo registration database."""
