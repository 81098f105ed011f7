"""Where the sender's sites are (`project_positions`): the nearest one to a shared location."""

from __future__ import annotations

import math

from application.ports import Site
from infrastructure.database import Database

_EARTH_RADIUS_METRES = 6_371_000.0


class SqlSitePositions:
    def __init__(self, database: Database) -> None:
        self._db = database

    def nearest(self, subcontractor_id: str, latitude: float, longitude: float) -> tuple[Site, float] | None:
        # A subcontractor has a handful of sites: measuring each in Python is cheaper than a spatial index.
        rows = self._db.fetch_all(
            "SELECT p.id, p.name, p.city, p.address, pos.latitude, pos.longitude FROM projects p "
            "JOIN assignments a ON a.project_id = p.id AND a.subcontractor_id = %s "
            "JOIN project_positions pos ON pos.project_id = p.id",
            (subcontractor_id,),
        )
        measured = [
            (
                Site(id=r["id"], name=r["name"], city=r["city"], address=r["address"]),
                distance_metres(latitude, longitude, float(r["latitude"]), float(r["longitude"])),
            )
            for r in rows
        ]
        return min(measured, key=lambda found: found[1], default=None)


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine): a few metres off at most at a city's scale."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * _EARTH_RADIUS_METRES * math.asin(math.sqrt(a))
