"""The geotraf Dash app: pages per role, thin callbacks, pure figure builders."""

from dashboard.forksafe import disable_sqlite_memstatus

# Before any connection of this process: forked plan jobs must not inherit a held SQLite
# mutex (see dashboard.forksafe). No I/O; it only configures the SQLite library.
disable_sqlite_memstatus()
