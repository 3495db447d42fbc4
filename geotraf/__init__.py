"""geotraf: trafficking routes between source, transit and destination places, and where
to intercept them.

The public API is deliberately short; everything else is private to its module.
"""

from __future__ import annotations

__version__ = "0.1.0"
