from . import work_admin  # noqa: F401  (the work-item models' admin)
