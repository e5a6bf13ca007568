"""Background tasks of work-item routing (overflow, re-offer)."""
