#!/usr/bin/env python3
"""Independent check of `gridatlas bench assign --write DIR`: GEOS (through shapely 2) assigns
the same points to the same cells with the same ownership rule, and must agree with the
`cell_id` GridAtlas stored. Also times GEOS's fastest variant (STRtree bulk query) here.

Usage: compare_assign.py DIR/workload.gpkg   -> prints JSON, exits 1 on any disagreement.
Rule: a point strictly inside cells belongs to the smallest such id; a point only on cell
boundaries belongs to the smallest id among them; otherwise to none (NULL).
"""
import json
import sqlite3
import struct
import sys
import time

import numpy as np
import shapely


def gpkg_to_wkb(blob):
    # GeoPackage binary header: 'GP', version, flags, srs_id (4), envelope (0/32/48/64 bytes).
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 0x07]
    return bytes(blob[8 + envelope:])


def main(path):
    db = sqlite3.connect(path)
    cell_ids, cell_blobs = zip(*db.execute("SELECT id, geom FROM cells ORDER BY id"))
    rows = db.execute("SELECT id, cell_id, geom FROM points ORDER BY id").fetchall()
    cells = shapely.from_wkb([gpkg_to_wkb(b) for b in cell_blobs])
    cell_ids = np.array(cell_ids)
    points = shapely.from_wkb([gpkg_to_wkb(r[2]) for r in rows])
    ours = np.array([-1 if r[1] is None else r[1] for r in rows])

    # GEOS's fastest way to assign: an STRtree over the cells, one bulk predicate query.
    timings = []
    for _ in range(3):
        t0 = time.perf_counter()
        tree = shapely.STRtree(cells)
        pairs = tree.query(points, predicate="intersects")
        timings.append((time.perf_counter() - t0) * 1000)
    point_idx, cell_idx = pairs
    # Which of those hits are on the boundary only.
    on_boundary = shapely.touches(cells[cell_idx], points[point_idx])
    expected = np.full(len(points), -1)
    best_inside = np.full(len(points), np.iinfo(np.int64).max)
    best_boundary = np.full(len(points), np.iinfo(np.int64).max)
    ids = cell_ids[cell_idx]
    np.minimum.at(best_inside, point_idx[~on_boundary], ids[~on_boundary])
    np.minimum.at(best_boundary, point_idx[on_boundary], ids[on_boundary])
    big = np.iinfo(np.int64).max
    expected = np.where(best_inside != big, best_inside, np.where(best_boundary != big, best_boundary, -1))
    disagree = np.nonzero(expected != ours)[0]
    report = {
        "points": len(points),
        "cells": len(cells),
        "agree": int(len(points) - len(disagree)),
        "disagree": int(len(disagree)),
        "boundary_hits": int(on_boundary.sum()),
        "geos_version": shapely.geos_version_string,
        "shapely_version": shapely.__version__,
        "geos_strtree_query_ms_each_run": [round(t, 1) for t in timings],
        "geos_strtree_query_ms_median": round(sorted(timings)[1], 1),
        "first_disagreements": [
            {"point_id": int(i) + 1, "gridatlas": int(ours[i]), "geos": int(expected[i])} for i in disagree[:10]
        ],
    }
    print(json.dumps(report, indent=2))
    return 0 if len(disagree) == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
