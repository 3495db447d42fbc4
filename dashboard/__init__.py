"""The geotraf Dash app: pages per role, thin callbacks, pure figure builders."""

from dashboard.forksafe import disable_sqlite_memstatus, guard_forks

# Before any connection of this process: forked plan jobs must not inherit a held SQLite
# mutex (see dashboard.forksafe). No I/O; it configures the SQLite library and registers
# fork handlers.
disable_sqlite_memstatus()
guard_forks()
