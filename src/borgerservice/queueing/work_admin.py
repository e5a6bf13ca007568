"""Admin for the work-item routing models."""
