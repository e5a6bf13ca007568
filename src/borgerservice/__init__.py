"""Borgerservice: one entrance to the municipality."""
