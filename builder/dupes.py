"""Near-duplicates: a perceptual hash per master, and the assets whose hashes are close.

The hash is the classic DCT pHash (the algorithm of the `imagehash` library's `phash`): the
upright picture, flattened onto white, in grey, resized to 32x32; a 2-D DCT-II of which the
8x8 lowest frequencies are kept; each bit says whether a coefficient is above their median.
64 bits, written as 16 hex digits (first coefficient = most significant bit). A resized,
re-encoded or slightly retouched copy lands within a few bits; a different picture lands near
32. Videos are hashed on their default poster frame (10% in), decoded by the video engine.

Why not `imagehash`: it needs numpy, scipy and PyWavelets (tens of megabytes) for what is two
small matrix products here. The 8x32 cosine table makes the DCT ~10k multiply-adds per image,
about a millisecond in plain Python, next to the decode itself. The tests check the bits
against scipy's DCT when scipy is installed.

Finding close pairs uses multi-index hashing (four 16-bit chunks, see `close_pairs`), with a
plain all-pairs comparison as the fallback when hashes crowd the buckets; at 10,000 assets
and the default distance this takes a fraction of a second instead of comparing 50 million
pairs.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from builder.diagnostics import Diagnostic, warning
from builder.jobs import EngineLimits, MasterError, MasterJob
from builder.models import Asset

HASH_BITS = 64
_SIZE = 32  # pixels per side before the DCT
_KEEP = 8  # lowest frequencies kept per axis
# _COS[u][x] = cos((2x + 1) u pi / 64): DCT-II basis for the 8 lowest frequencies.
_COS = tuple(tuple(math.cos((2 * x + 1) * u * math.pi / (2 * _SIZE)) for x in range(_SIZE)) for u in range(_KEEP))


# --- hashing ----------------------------------------------------------------------------------

def phash(image) -> str:
    """The 64-bit DCT perceptual hash of a Pillow image, as 16 lower-case hex digits."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat
    grey = image.convert("L").resize((_SIZE, _SIZE), Image.Resampling.LANCZOS)
    pixels = grey.tobytes()  # one byte per pixel, row by row
    rows = [pixels[y * _SIZE:(y + 1) * _SIZE] for y in range(_SIZE)]
    # DCT along each row (8 lowest horizontal frequencies), then down each of those 8 columns.
    across = [[sum(c * p for c, p in zip(basis, row)) for basis in _COS] for row in rows]
    low = [[sum(_COS[u][y] * across[y][v] for y in range(_SIZE)) for v in range(_KEEP)] for u in range(_KEEP)]
    values = [value for row in low for value in row]
    median = _median(values)
    bits = 0
    for value in values:
        bits = (bits << 1) | (value > median)
    return f"{bits:016x}"


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return (ordered[middle - 1] + ordered[middle]) / 2 if len(ordered) % 2 == 0 else ordered[middle]


def image_phash(path: Path | str, limits: EngineLimits | None = None) -> str | None:
    """pHash of an image master, upright (EXIF orientation applied); None when it cannot be
    decoded (a truncated file is the derive stage's error to report, not the probe's)."""
    from PIL import Image, ImageOps

    limits = limits or EngineLimits()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                width, height = image.size
                if width * height > limits.max_image_pixels:
                    return None
                # JPEG: let libjpeg scale down while decoding; the hash only needs 32x32.
                image.draft("RGB", (_SIZE * 4, _SIZE * 4))
                image.load()
                upright = ImageOps.exif_transpose(image)
                return phash(upright)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None


def video_phash(path: Path | str, limits: EngineLimits | None = None) -> str | None:
    """pHash of a video's default poster frame (the frame the portal shows), or None."""
    from builder.derive import video

    limits = limits or EngineLimits()
    job = MasterJob(asset_id="phash", master=str(path), media_kind="video", media_type="video/mp4",
                    outputs=(), limits=limits)
    try:
        frame = video.poster_frame(job, video.inspect(str(path), limits))
    except (MasterError, OSError, ValueError):
        return None
    with frame:
        return phash(frame)


def distance(a: str, b: str) -> int:
    """Bits that differ between two hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


# --- close pairs ------------------------------------------------------------------------------

def close_pairs(hashes: Sequence[int], max_distance: int) -> list[tuple[int, int, int]]:
    """(i, j, distance) for every i < j whose hashes differ in at most `max_distance` bits.

    Multi-index hashing: the 64 bits are four 16-bit chunks; two hashes within d bits differ
    in at most d // 4 bits in at least one chunk (pigeonhole), so each bucket is compared only
    with the buckets whose chunk value is that close. When the hashes are so alike that the
    buckets are crowded (more candidates than a quarter of all pairs), or the distance is
    large, a plain comparison of every pair is cheaper, and is used instead.
    """
    count = len(hashes)
    if max_distance < 0 or count < 2:
        return []
    if max_distance >= _CHUNKS * 3 or count < 64:
        return _all_pairs(hashes, max_distance)
    flips = _flips(max_distance // _CHUNKS)
    budget = count * (count - 1) // 4
    candidates: set[tuple[int, int]] = set()
    for chunk in range(_CHUNKS):
        shift = chunk * _CHUNK_BITS
        buckets: dict[int, list[int]] = defaultdict(list)
        for index, value in enumerate(hashes):
            buckets[(value >> shift) & _CHUNK_MASK].append(index)
        planned = 0
        for members in buckets.values():
            planned += len(members) * (len(members) - 1) // 2
        if planned > budget:  # a crowded chunk: checked before building any pair
            return _all_pairs(hashes, max_distance)
        for key, members in buckets.items():
            for position, i in enumerate(members):
                for j in members[position + 1:]:
                    candidates.add((i, j))
            for flip in flips:
                other = buckets.get(key ^ flip) if key ^ flip > key else None
                if other:
                    planned += len(other) * len(members)
                    if planned > budget:
                        return _all_pairs(hashes, max_distance)
                    for i in other:
                        for j in members:
                            candidates.add((i, j) if i < j else (j, i))
    found = []
    for i, j in candidates:
        bits = (hashes[i] ^ hashes[j]).bit_count()
        if bits <= max_distance:
            found.append((i, j, bits))
    return sorted(found)


_CHUNKS, _CHUNK_BITS, _CHUNK_MASK = 4, 16, 0xFFFF


def _flips(radius: int) -> list[int]:
    """Every non-zero 16-bit mask with at most `radius` bits set."""
    return [mask for mask in range(1, 1 << _CHUNK_BITS) if mask.bit_count() <= radius] if radius else []


def _all_pairs(hashes: Sequence[int], max_distance: int) -> list[tuple[int, int, int]]:
    found = []
    values = list(hashes)
    for i, a in enumerate(values):
        rest = values[i + 1:]
        for offset in [k for k, b in enumerate(rest) if (a ^ b).bit_count() <= max_distance]:
            found.append((i, i + 1 + offset, (a ^ rest[offset]).bit_count()))
    return found


@dataclass(frozen=True)
class Neighbour:
    path: str
    asset: Asset
    distance: int


def _hashed(sources: Iterable[tuple[str, Asset]]) -> list[tuple[str, Asset, int]]:
    return [(path, asset, int(asset.technical.phash, 16)) for path, asset in sources
            if asset.technical is not None and asset.technical.phash]


def _related(a: Asset, b: Asset) -> bool:
    """Pairs that are meant to look alike, or that E502 already reports."""
    if a.supersedes == b.id or b.supersedes == a.id:
        return True
    return a.technical is not None and b.technical is not None and a.technical.md5 == b.technical.md5


def neighbours(sources: Sequence[tuple[str, Asset]], max_distance: int) -> dict[str, list[Neighbour]]:
    """Sidecar path -> the other assets within `max_distance` bits, closest first."""
    hashed = _hashed(sources)
    found: dict[str, list[Neighbour]] = defaultdict(list)
    for i, j, bits in close_pairs([h for _, _, h in hashed], max_distance):
        (path_a, a, _), (path_b, b, _) = hashed[i], hashed[j]
        if _related(a, b):
            continue
        found[path_a].append(Neighbour(path_b, b, bits))
        found[path_b].append(Neighbour(path_a, a, bits))
    for near in found.values():
        near.sort(key=lambda n: (n.distance, n.asset.id))
    return dict(found)


def near_duplicate_problems(sources: list[tuple[str, Asset]], distance: int) -> list[Diagnostic]:
    """W506 on each asset that looks like another one, naming them (for catalogue_problems)."""
    found = []
    for path, near in sorted(neighbours(sources, distance).items()):
        shown = ", ".join(f"'{n.asset.id}' ({n.path}, {n.distance} bit{'s' if n.distance != 1 else ''} apart)"
                          for n in near[:5])
        more = f" and {len(near) - 5} more" if len(near) > 5 else ""
        found.append(warning(
            path, "W506", f"looks like a near-duplicate of {shown}{more}",
            "keep one asset, or link a new version with `supersedes`; `dam dupes` lists every cluster",
            loc=("technical", "phash"),
        ))
    return found


# --- clusters -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cluster:
    members: tuple[tuple[str, Asset], ...]  # (sidecar path, asset), ordered by id
    pairs: tuple[tuple[str, str, int], ...]  # (id, id, distance) of every close pair inside

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(asset.id for _, asset in self.members)

    def as_json(self) -> dict:
        return {
            "assets": [{"id": asset.id, "sidecar": path, "master": asset.master,
                        "phash": asset.technical.phash if asset.technical else None}
                       for path, asset in self.members],
            "pairs": [{"a": a, "b": b, "distance": d} for a, b, d in self.pairs],
        }


def clusters(sources: Sequence[tuple[str, Asset]], max_distance: int) -> list[Cluster]:
    """Connected components of the 'within max_distance' relation, biggest first.

    Exact duplicates (same md5) are included here: `dam dupes` lists everything that looks
    alike, while validation reports those as E502 rather than W506.
    """
    hashed = _hashed(sources)
    parent = list(range(len(hashed)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = close_pairs([h for _, _, h in hashed], max_distance)
    for i, j, _ in pairs:
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(hashed)):
        groups[find(index)].append(index)
    by_root: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for i, j, bits in pairs:
        a, b = sorted((hashed[i][1].id, hashed[j][1].id))
        by_root[find(i)].append((a, b, bits))
    out = []
    for root, members in groups.items():
        if len(members) < 2:
            continue
        ordered = tuple(sorted(((hashed[i][0], hashed[i][1]) for i in members), key=lambda m: m[1].id))
        out.append(Cluster(ordered, tuple(sorted(by_root[root]))))
    return sorted(out, key=lambda c: (-len(c.members), c.ids))


def format_clusters(found: list[Cluster]) -> str:
    lines = []
    for number, cluster in enumerate(found, 1):
        closest = {}
        for a, b, bits in cluster.pairs:
            closest[a] = min(closest.get(a, 64), bits)
            closest[b] = min(closest.get(b, 64), bits)
        lines.append(f"cluster {number}: {len(cluster.members)} assets")
        for path, asset in cluster.members:
            lines.append(f"  {asset.id}  ({path}; closest {closest.get(asset.id, 0)} bits)")
    return "\n".join(lines)
