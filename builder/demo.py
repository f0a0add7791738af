"""Masters for the demo catalogue, generated offline and deterministically.

The demo sidecars in catalogue/assets/ name masters under media/. Real photographs and films
cannot live in this repository, so this module paints stand-ins that look enough like a brand's
library to judge the portal by eye: landscapes built from gradients and layered noise ridges,
studio product shots, a transparent logo, a CMYK print file, a grayscale archive scan, phone
pictures stored sideways, videos and music from ffmpeg's lavfi sources and sine tones, and PDFs.

Everything the demo needs is in one table, `MASTERS`, keyed by the master's path relative to
media/. Each row names a maker (`scene`, `studio`, `interior`, `topo`, `logo`, `video`, `audio`,
`pdf`) and its parameters, including a fixed seed. The same Pillow, zlib, libjpeg and ffmpeg
versions give byte-identical files on every run: no clocks, no unseeded randomness, ffmpeg in
bit-exact single-threaded mode.

    from builder.demo import generate_masters
    generate_masters(Path("."))               # writes media/... for every demo master

Nothing in the build imports this module; it only feeds the demo and the tests.
"""

from __future__ import annotations

import math
import operator
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from array import array
from concurrent.futures import ThreadPoolExecutor
from itertools import accumulate, chain, repeat
from pathlib import Path
from typing import Any, Callable

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

RGB = tuple[int, int, int]

# --------------------------------------------------------------------------------------------
# The table: every demo master and how it is made.
# --------------------------------------------------------------------------------------------
# Colours are hex strings; positions and sizes inside a picture are fractions of its width or
# height. `layers` are painted back to front. `exif` goes into the JPEG as camera metadata;
# `gps` adds a GPS block (the renditions must strip it); `orientation: 6` stores the picture
# sideways with the EXIF tag that tells viewers to turn it upright.

_FUJI = {"make": "FUJIFILM", "model": "X-T5", "lens": "XF16-55mmF2.8 R LM WR"}
_SONY = {"make": "SONY", "model": "ILCE-7RM5", "lens": "FE 24-70mm F2.8 GM II"}
_CANON = {"make": "Canon", "model": "Canon EOS R5", "lens": "RF70-200mm F2.8 L IS USM"}
_NIKON = {"make": "NIKON CORPORATION", "model": "NIKON Z 8", "lens": "NIKKOR Z 24-120mm f/4 S"}
_PHONE = {"make": "Apple", "model": "iPhone 15 Pro", "lens": "iPhone 15 Pro back camera 6.765mm f/1.78"}

MASTERS: dict[str, dict[str, Any]] = {
    # ---- brand identity -------------------------------------------------------------------
    "brand-identity/northwind-logo-primary.png": {
        "make": "logo", "size": (1600, 1600), "ring": "#1f3a3d", "mountain": "#2f5d50",
        "snow": "#f4efe6", "needle": "#e07a2f",
    },
    "brand-identity/topo-pattern.jpg": {
        "make": "topo", "size": (2400, 2400), "seed": 71, "ground": "#1f3a3d", "line": "#7fa99b",
        "accent": "#e07a2f", "exif": None,
    },
    "brand-identity/northwind-brand-guidelines-2026.pdf": {
        "make": "pdf", "seed": 5, "title": "Northwind Outfitters - Brand guidelines 2026",
        "pages": [
            {"heading": "Brand guidelines 2026", "body": "Logo, colour, type and photography for everyone who tells the Northwind story.", "layout": "cover"},
            {"heading": "Our logo", "body": "Keep clear space of one needle height on every side. Never stretch, recolour or add effects.", "layout": "logo"},
            {"heading": "Colour", "body": "Pine, Ember, Glacier and Sand. Pine leads; Ember is for calls to action only.", "layout": "swatches"},
            {"heading": "Photography", "body": "Real places, natural light, people in motion. No staged summit poses.", "layout": "photos"},
        ],
    },
    "brand-identity/sonic-logo.wav": {
        "make": "audio", "seed": 9, "seconds": 12.0, "tempo": 96, "root": 57,
        "melody": [0, 4, 7, 12, None, 11, 7, 9, None, 4, 7, 5, 4, None, 0, None],
        "chords": [[0, 4, 7], [5, 9, 12], [7, 11, 14], [0, 4, 7]], "pad": 0.18,
    },
    # ---- outdoor photography --------------------------------------------------------------
    "outdoor-photography/summit-sunrise-2026.jpg": {
        "make": "scene", "size": (3600, 2400), "seed": 101,
        "sky": ["#27365e", "#6b5b8a", "#e59a6b", "#ffd9a0"],
        "sun": {"x": 0.63, "y": 0.42, "r": 0.035, "colour": "#fff1c9", "glow": "#ffb070"},
        "layers": [
            {"kind": "ridge", "y": 0.52, "amp": 0.16, "rough": 0.56, "colour": "#9a86a8", "peak": (0.30, 0.20)},
            {"kind": "fog", "y": 0.58, "h": 0.10, "colour": "#f3c9a7", "opacity": 0.55},
            {"kind": "ridge", "y": 0.64, "amp": 0.14, "rough": 0.58, "colour": "#5a4f70", "snow": 0.05, "peak": (0.58, 0.16)},
            {"kind": "ridge", "y": 0.78, "amp": 0.08, "rough": 0.6, "colour": "#2c2838"},
            {"kind": "hiker", "x": 0.585, "y": 0.735, "h": 0.05, "colour": "#16131c"},
        ],
        "exif": {**_FUJI, "taken": "2026:05:14 05:48:12", "iso": 160, "f": 8.0, "shutter": 1 / 250, "focal": 23.0},
        "gps": {"lat": 46.5561, "lon": 7.9783, "alt": 2962.0},
    },
    "outdoor-photography/summit-sunrise-2025.jpg": {
        "make": "scene", "size": (3000, 2000), "seed": 97,
        "sky": ["#3a4a6e", "#8c7a9a", "#eab08a", "#fbe3bd"],
        "sun": {"x": 0.45, "y": 0.47, "r": 0.03, "colour": "#fff4d8", "glow": "#f4b788"},
        "layers": [
            {"kind": "ridge", "y": 0.55, "amp": 0.15, "rough": 0.55, "colour": "#a292af"},
            {"kind": "ridge", "y": 0.68, "amp": 0.12, "rough": 0.57, "colour": "#625a78", "snow": 0.04},
            {"kind": "ridge", "y": 0.82, "amp": 0.07, "rough": 0.6, "colour": "#302c3c"},
        ],
        "exif": {**_CANON, "taken": "2025:06:02 05:31:40", "iso": 200, "f": 11.0, "shutter": 1 / 125, "focal": 85.0},
    },
    "outdoor-photography/alpine-lake-reflection.jpg": {
        "make": "scene", "size": (3200, 2000), "seed": 113,
        "sky": ["#3d74b0", "#7fb0d8", "#cfe3ef"],
        "layers": [
            {"kind": "ridge", "y": 0.38, "amp": 0.17, "rough": 0.57, "colour": "#8ea3b8", "snow": 0.09, "peak": (0.52, 0.16)},
            {"kind": "ridge", "y": 0.50, "amp": 0.08, "rough": 0.6, "colour": "#3f5d5a"},
            {"kind": "trees", "y": 0.56, "h": 0.06, "colour": "#1d3a30", "density": 0.9},
            {"kind": "water", "y": 0.58, "colour": "#24506a", "mix": 0.35},
        ],
        "exif": {**_SONY, "taken": "2026:07:21 09:12:05", "iso": 100, "f": 9.0, "shutter": 1 / 320, "focal": 28.0},
    },
    "outdoor-photography/forest-trail-morning.jpg": {
        "make": "scene", "size": (2000, 3000), "seed": 127,
        "sky": ["#c9d8cf", "#e8e4cf", "#f6eed8"],
        "sun": {"x": 0.7, "y": 0.18, "r": 0.05, "colour": "#fffbe9", "glow": "#f7ecc4"},
        "layers": [
            {"kind": "trees", "y": 0.45, "h": 0.22, "colour": "#8fa59a", "density": 0.7},
            {"kind": "fog", "y": 0.42, "h": 0.12, "colour": "#eef0e4", "opacity": 0.6},
            {"kind": "trees", "y": 0.60, "h": 0.32, "colour": "#4d6b5b", "density": 0.55},
            {"kind": "fog", "y": 0.60, "h": 0.10, "colour": "#e4e8d8", "opacity": 0.45},
            {"kind": "trees", "y": 0.82, "h": 0.55, "colour": "#1e3328", "density": 0.35},
            {"kind": "path", "y": 0.80, "colour": "#8a6f52"},
            {"kind": "hiker", "x": 0.47, "y": 0.86, "h": 0.09, "colour": "#2a2420", "pack": "#e07a2f"},
        ],
        "rays": {"x": 0.7, "y": 0.18, "colour": "#fff6d5", "opacity": 0.22},
        "exif": {**_NIKON, "taken": "2026:04:27 07:03:51", "iso": 400, "f": 4.0, "shutter": 1 / 160, "focal": 50.0},
    },
    "outdoor-photography/coastal-cliffs-kayak.jpg": {
        "make": "scene", "size": (3000, 1800), "seed": 131,
        "sky": ["#5a8fc4", "#a9cbe3", "#e4eef2"],
        "layers": [
            {"kind": "sea", "y": 0.55, "colour": "#2f6f8f", "far": "#7fb2c8"},
            {"kind": "cliff", "side": "left", "x": 0.36, "top": 0.22, "colour": "#7c6650"},
            {"kind": "kayak", "x": 0.74, "y": 0.74, "w": 0.07, "colour": "#e07a2f"},
        ],
        "exif": {**_CANON, "taken": "2026:06:18 15:40:22", "iso": 100, "f": 8.0, "shutter": 1 / 800, "focal": 135.0},
    },
    "outdoor-photography/desert-dunes-dusk.jpg": {
        "make": "scene", "size": (2400, 1600), "seed": 137,
        "sky": ["#3b2f5c", "#a35d6a", "#f0a070", "#f6cf95"],
        "sun": {"x": 0.22, "y": 0.56, "r": 0.045, "colour": "#ffe0a8", "glow": "#ff9a5c"},
        "layers": [
            {"kind": "dunes", "y": 0.60, "amp": 0.05, "colour": "#c97e58", "shade": "#8a4c3c"},
            {"kind": "dunes", "y": 0.72, "amp": 0.07, "colour": "#d9935f", "shade": "#93503a"},
            {"kind": "dunes", "y": 0.86, "amp": 0.08, "colour": "#e6a86e", "shade": "#a05a3c"},
        ],
        "exif": {**_SONY, "taken": "2025:10:09 18:22:10", "iso": 100, "f": 11.0, "shutter": 1 / 60, "focal": 70.0},
    },
    "outdoor-photography/winter-ridge-snow.jpg": {
        "make": "scene", "size": (3000, 2000), "seed": 139,
        "sky": ["#8fb3d6", "#c6dbeb", "#eef4f8"],
        "sun": {"x": 0.82, "y": 0.2, "r": 0.025, "colour": "#ffffff", "glow": "#e8f1fa"},
        "layers": [
            {"kind": "ridge", "y": 0.45, "amp": 0.15, "rough": 0.55, "colour": "#b8c9dc", "snow": 0.3},
            {"kind": "ridge", "y": 0.62, "amp": 0.12, "rough": 0.58, "colour": "#9fb4cc", "snow": 0.6, "peak": (0.4, 0.1)},
            {"kind": "ridge", "y": 0.82, "amp": 0.06, "rough": 0.62, "colour": "#dfe8f1", "snow": 1.0},
            {"kind": "hiker", "x": 0.33, "y": 0.8, "h": 0.06, "colour": "#1f2a38", "pack": "#c0392b"},
        ],
        "exif": {**_FUJI, "taken": "2026:01:30 11:15:44", "iso": 100, "f": 11.0, "shutter": 1 / 1000, "focal": 35.0},
    },
    "outdoor-photography/camp-under-stars.jpg": {
        "make": "scene", "size": (2800, 1867), "seed": 149,
        "sky": ["#05070f", "#0e1a35", "#1d2f55", "#3a4a6a"],
        "stars": 2200, "milky_way": True,
        "layers": [
            {"kind": "ridge", "y": 0.70, "amp": 0.10, "rough": 0.55, "colour": "#111827"},
            {"kind": "trees", "y": 0.84, "h": 0.14, "colour": "#070b12", "density": 0.6},
            {"kind": "tent", "x": 0.58, "y": 0.86, "w": 0.12, "colour": "#e07a2f", "glow": "#ffb35c"},
        ],
        "exif": {**_SONY, "taken": "2026:08:12 23:41:09", "iso": 3200, "f": 2.8, "shutter": 20.0, "focal": 24.0},
    },
    "outdoor-photography/autumn-valley-phone.jpg": {
        # shot upright on a phone, stored sideways with EXIF Orientation 6
        "make": "scene", "size": (1500, 2000), "seed": 151, "orientation": 6,
        "sky": ["#6e9cc9", "#b7d0e2", "#e6ecea"],
        "layers": [
            {"kind": "ridge", "y": 0.36, "amp": 0.08, "rough": 0.5, "colour": "#7a8aa0"},
            {"kind": "canopy", "y": 0.52, "h": 0.14, "colours": ["#c8642a", "#e0a23a", "#9b3d22", "#6f7f3a"]},
            {"kind": "canopy", "y": 0.72, "h": 0.2, "colours": ["#d4752e", "#b8461f", "#e8b44a", "#5e6d2e"]},
            {"kind": "path", "y": 0.70, "colour": "#6d5a42"},
        ],
        "exif": {**_PHONE, "taken": "2026:10:11 14:02:37", "iso": 50, "f": 1.78, "shutter": 1 / 900, "focal": 6.765},
    },
    "outdoor-photography/river-crossing-draft.jpg": {
        "make": "scene", "size": (2400, 1600), "seed": 157,
        "sky": ["#8aa9b8", "#c5d3d2", "#e2e4da"],
        "layers": [
            {"kind": "trees", "y": 0.52, "h": 0.25, "colour": "#52695c", "density": 0.7},
            {"kind": "trees", "y": 0.62, "h": 0.3, "colour": "#2a3f33", "density": 0.5},
            {"kind": "water", "y": 0.64, "colour": "#4b6f73", "mix": 0.5},
            {"kind": "hiker", "x": 0.42, "y": 0.8, "h": 0.1, "colour": "#1e1f1d", "pack": "#2f5d50"},
        ],
        "exif": {**_NIKON, "taken": "2026:09:03 10:26:18", "iso": 250, "f": 5.6, "shutter": 1 / 500, "focal": 70.0},
    },
    # ---- products ------------------------------------------------------------------------
    "product/ridgeline-35-backpack.jpg": {
        "make": "studio", "product": "backpack", "size": (2400, 2400), "seed": 201,
        "backdrop": ["#eae6df", "#cfc8bc"], "colour": "#2f5d50", "trim": "#e07a2f", "x": 0.5,
        "exif": {**_CANON, "taken": "2026:02:10 13:05:00", "iso": 100, "f": 11.0, "shutter": 1 / 160, "focal": 100.0},
    },
    "product/stormshell-jacket.jpg": {
        "make": "studio", "product": "jacket", "size": (2000, 2500), "seed": 203,
        "backdrop": ["#dfe5e8", "#b9c3c8"], "colour": "#b23a2e", "trim": "#1f2a30", "x": 0.5,
        "exif": {**_CANON, "taken": "2026:08:20 11:41:12", "iso": 100, "f": 10.0, "shutter": 1 / 160, "focal": 85.0},
    },
    "product/trailflask-bottle.jpg": {
        "make": "studio", "product": "bottle", "size": (2000, 2000), "seed": 205,
        "backdrop": ["#f1ede4", "#d8cfbf"], "colour": "#3f7f8c", "trim": "#1f3a3d", "x": 0.42,
        "exif": {**_CANON, "taken": "2026:09:14 10:02:31", "iso": 100, "f": 13.0, "shutter": 1 / 200, "focal": 100.0},
    },
    "product/stormshell-spec-sheet.pdf": {
        "make": "pdf", "seed": 7, "title": "StormShell 3L jacket - product specification",
        "pages": [
            {"heading": "StormShell 3L jacket", "body": "Product specification, FW26. Three-layer recycled shell, 20,000 mm HH.", "layout": "spec"},
            {"heading": "Sizes and colours", "body": "XS to XXL. Ember Red, Pine, Glacier Grey. Fit: regular, helmet-compatible hood.", "layout": "swatches"},
        ],
    },
    "product/winter-window-poster-cmyk.jpg": {
        # print artwork delivered by the agency as CMYK (A5 at 300 dpi)
        "make": "scene", "size": (1748, 2480), "seed": 211, "mode": "CMYK", "dpi": 300,
        "sky": ["#1b3550", "#4f7aa0", "#b9d3e6"],
        "layers": [
            {"kind": "ridge", "y": 0.42, "amp": 0.14, "rough": 0.55, "colour": "#9bb6cf", "snow": 0.5, "peak": (0.5, 0.1)},
            {"kind": "ridge", "y": 0.60, "amp": 0.09, "rough": 0.58, "colour": "#c9d9e8", "snow": 1.0},
            {"kind": "band", "y": 0.78, "h": 0.22, "colour": "#1f3a3d"},
            {"kind": "band", "y": 0.78, "h": 0.012, "colour": "#e07a2f"},
        ],
        "exif": None,
    },
    # ---- stories: people, films, sound ---------------------------------------------------
    "stories/meet-the-makers-workshop.jpg": {
        "make": "interior", "size": (3000, 2000), "seed": 301, "wall": ["#5a4636", "#2e241c"],
        "window": "#fff1d2", "people": 3, "bokeh": "#ffcf8a",
        "exif": {**_FUJI, "taken": "2026:03:05 10:48:13", "iso": 800, "f": 2.0, "shutter": 1 / 125, "focal": 33.0},
    },
    "stories/fifty-years-teaser.jpg": {
        "make": "scene", "size": (3000, 1688), "seed": 307,
        "sky": ["#101a2e", "#3b3552", "#b8614a", "#f0a35e"],
        "sun": {"x": 0.5, "y": 0.66, "r": 0.06, "colour": "#ffd590", "glow": "#ff8c42"},
        "layers": [
            {"kind": "ridge", "y": 0.62, "amp": 0.12, "rough": 0.55, "colour": "#3e3346", "peak": (0.5, 0.1)},
            {"kind": "ridge", "y": 0.76, "amp": 0.07, "rough": 0.6, "colour": "#1c1822"},
            {"kind": "hiker", "x": 0.44, "y": 0.73, "h": 0.07, "colour": "#0d0b10"},
            {"kind": "hiker", "x": 0.485, "y": 0.735, "h": 0.062, "colour": "#0d0b10"},
        ],
        "exif": {**_SONY, "taken": "2026:09:21 19:12:45", "iso": 200, "f": 5.6, "shutter": 1 / 200, "focal": 200.0},
    },
    "stories/beach-cleanup-day.jpg": {
        "make": "scene", "size": (2000, 2000), "seed": 311,
        "sky": ["#7fa8c9", "#bcd5e4", "#eef0ea"],
        "layers": [
            {"kind": "sea", "y": 0.46, "colour": "#3f7f94", "far": "#9cc3cf"},
            {"kind": "band", "y": 0.62, "h": 0.38, "colour": "#d8c39b"},
            {"kind": "surf", "y": 0.62, "colour": "#f4f1e8"},
            {"kind": "hiker", "x": 0.3, "y": 0.82, "h": 0.16, "colour": "#23313a", "pack": "#e07a2f"},
            {"kind": "hiker", "x": 0.52, "y": 0.78, "h": 0.13, "colour": "#2b2a2f", "pack": "#3f7f8c"},
            {"kind": "hiker", "x": 0.7, "y": 0.86, "h": 0.18, "colour": "#1f2426", "pack": "#f2c14e"},
        ],
        "exif": {**_NIKON, "taken": "2026:09:19 11:20:03", "iso": 100, "f": 8.0, "shutter": 1 / 640, "focal": 35.0},
    },
    "stories/trail-run-teaser.mp4": {
        "make": "video", "size": (1920, 1080), "seconds": 6, "seed": 401,
        "video": "gradients=s=480x270:r=25:d={d}:c0=0x1f3a3d:c1=0x3f7f8c:c2=0xe07a2f:c3=0xf4efe6:nb_colors=4:speed=0.015:seed={seed},"
                 "scale={w}:{h}:flags=bicubic,vignette=PI/5",
        "tones": [110.0, 164.81, 220.0], "noise": 0.04,
    },
    "stories/campfire-embers-loop.mp4": {
        "make": "video", "size": (1280, 720), "seconds": 5, "seed": 403,
        "video": "life=s=640x360:r=25:seed={seed}:ratio=0.12:mold=25:life_color=0xffb347:death_color=0x140b05:mold_color=0x6a2c0c,"
                 "scale={w}:{h},gblur=sigma=1.5,trim=duration={d}",
        "tones": [98.0, 146.83], "noise": 0.12,
    },
    "stories/summit-story-vertical.mp4": {
        "make": "video", "size": (720, 1280), "seconds": 5, "seed": 405,
        "video": "mandelbrot=s={w}x{h}:r=25:maxiter=160:start_scale=2.5:end_scale=0.6:inner=mincol,"
                 "hue=h=160:s=0.7,trim=duration={d}",
        "tones": [196.0, 246.94, 293.66], "noise": 0.02,
    },
    "stories/river-phone-clip.mp4": {
        # a phone held upright: 1280x720 frames with rotation metadata, displayed 720x1280
        "make": "video", "size": (1280, 720), "seconds": 4, "seed": 407, "rotate": 90,
        "video": "gradients=s=320x180:r=30:d={d}:c0=0x24506a:c1=0x7fb0d8:c2=0x2f5d50:nb_colors=3:speed=0.03:type=radial:seed={seed},"
                 "scale={w}:{h}:flags=bicubic",
        "tones": [], "noise": 0.3,
    },
    "stories/out-there-podcast-intro.m4a": {
        "make": "audio", "seed": 13, "seconds": 18.0, "tempo": 84, "root": 50,
        "melody": [7, None, 9, 7, 4, None, 2, 4, 7, None, 12, 11, 9, None, 7, None],
        "chords": [[0, 7, 12], [-3, 4, 9], [5, 9, 12], [7, 11, 14]], "pad": 0.25,
    },
    # ---- heritage archive ----------------------------------------------------------------
    "heritage-archive/first-workshop-1976.jpg": {
        # a scanned black-and-white print: stored as 8-bit grayscale
        "make": "interior", "size": (2400, 1800), "seed": 501, "mode": "L", "wall": ["#6b6358", "#2b2824"],
        "window": "#fbf7ee", "people": 2, "bokeh": None, "grain": 26,
        "exif": {"make": "Epson", "model": "Perfection V850", "taken": "2019:11:04 16:20:00"},
    },
}

# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _hex(colour: str) -> RGB:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))  # type: ignore[return-value]


def _shade(colour: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)  # type: ignore[return-value]


def _vertical_gradient(size: tuple[int, int], stops: list[RGB], mode: str = "RGB") -> Image.Image:
    column = Image.new("RGB", (1, 256))
    last = len(stops) - 1
    for i in range(256):
        t = i / 255 * last
        k = min(int(t), last - 1) if last else 0
        column.putpixel((0, i), _mix(stops[k], stops[min(k + 1, last)], t - k) if last else stops[0])
    return column.resize(size, Image.Resampling.BILINEAR)


def _noise(rng: random.Random, size: tuple[int, int], cells: tuple[int, int]) -> Image.Image:
    """Smooth value noise: random cells upscaled with bicubic interpolation (mode L)."""
    cw, ch = max(2, cells[0]), max(2, cells[1])
    small = Image.frombytes("L", (cw, ch), rng.randbytes(cw * ch))
    return small.resize(size, Image.Resampling.BICUBIC)


def _profile(rng: random.Random, roughness: float, n: int = 1024) -> list[float]:
    """A 1-D midpoint-displacement line of n + 1 values, roughly in [-1, 1]."""
    pts = [0.0] * (n + 1)
    pts[0], pts[n] = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)
    step, amp = n, 1.0
    while step > 1:
        half = step // 2
        for i in range(half, n, step):
            pts[i] = (pts[i - half] + pts[i + half]) / 2 + rng.uniform(-amp, amp)
        amp *= roughness
        step = half
    top = max(abs(v) for v in pts) or 1.0
    return [v / top for v in pts]


def _paint(base: Image.Image, fill: Image.Image | RGB, mask: Image.Image) -> Image.Image:
    if not isinstance(fill, Image.Image):
        fill = Image.new("RGB", base.size, fill)
    return Image.composite(fill, base, mask)


def _soft_mask(size: tuple[int, int], draw: Callable[[ImageDraw.ImageDraw], None], blur: float = 1.2) -> Image.Image:
    mask = Image.new("L", size, 0)
    draw(ImageDraw.Draw(mask))
    return mask.filter(ImageFilter.GaussianBlur(blur)) if blur else mask


def _glow(img: Image.Image, centre: tuple[float, float], radius: float, colour: RGB, strength: float) -> Image.Image:
    w, h = img.size
    cx, cy = centre
    mask = _soft_mask(img.size, lambda d: d.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=int(255 * strength)), blur=radius / 2.2)
    return ImageChops.screen(img, Image.composite(Image.new("RGB", (w, h), colour), Image.new("RGB", (w, h), 0), mask))


def _finish(img: Image.Image, rng: random.Random, grain: int = 10, vignette: float = 0.28) -> Image.Image:
    """Lens softness, vignette and film grain: what makes flat shapes read as a photograph."""
    w, h = img.size
    img = img.filter(ImageFilter.GaussianBlur(0.7))
    if vignette:
        radial = Image.radial_gradient("L").resize((w, h), Image.Resampling.BILINEAR)
        shade = radial.point(lambda v: 255 - int(vignette * 255 * max(0.0, (v - 90) / 165) ** 1.6))
        img = ImageChops.multiply(img, Image.merge("RGB", (shade, shade, shade)))
    if grain:
        gw, gh = max(2, w // 2), max(2, h // 2)
        noise = Image.frombytes("L", (gw, gh), rng.randbytes(gw * gh)).resize((w, h), Image.Resampling.BILINEAR)
        noise = noise.point(lambda v: 128 + (v - 128) * grain // 128)
        img = ImageChops.soft_light(img, Image.merge("RGB", (noise, noise, noise)))
    return img


# --------------------------------------------------------------------------------------------
# Landscape layers
# --------------------------------------------------------------------------------------------


def _ridge(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    prof = _profile(rng, layer.get("rough", 0.55))
    peak = layer.get("peak")
    ys = []
    for i, v in enumerate(prof):
        x = i / (len(prof) - 1)
        lift = 0.0
        if peak:
            lift = peak[1] * math.exp(-((x - peak[0]) ** 2) / 0.02)
        ys.append((layer["y"] - layer["amp"] * v - lift) * h)
    xs = [i * w / (len(prof) - 1) for i in range(len(prof))]
    line = list(zip(xs, ys))
    mask = _soft_mask((w, h), lambda d: d.polygon(line + [(w, h), (0, h)], fill=255), blur=1.0)
    colour = _hex(layer["colour"])
    top = int(max(0, min(ys)))
    fill = _vertical_gradient((w, h), [_shade(colour, 1.12), colour, _shade(colour, 0.72)])
    # rock texture: vertical streaks (gullies) and broad light patches
    streaks = _noise(rng, (w, h), (w // 14, h // 45)).point(lambda v: 212 + v * 43 // 255)
    patches = _noise(rng, (w, h), (w // 60, h // 60)).point(lambda v: 185 + v * 70 // 255)
    tex = ImageChops.multiply(streaks, patches)
    fill = ImageChops.multiply(fill, Image.merge("RGB", (tex, tex, tex)))
    img = _paint(img, fill, mask)
    snow = layer.get("snow")
    if snow:
        depth = (0.03 + snow * 0.5) * h
        wobble = _profile(rng, 0.7)
        low, high = max(ys), min(ys)
        # more snow on the summits than in the saddles, with a ragged lower edge
        lower = [(x, y + depth * (0.15 + 0.85 * ((low - y) / max(1.0, low - high)) ** 1.3) * (0.5 + 0.5 * (wobble[i] + 1) / 2))
                 for i, (x, y) in enumerate(line)]
        snow_mask = _soft_mask((w, h), lambda d: d.polygon(line + lower[::-1], fill=255), blur=2.0)
        streak_mask = _noise(rng, (w, h), (w // 18, h // 40)).point(lambda v: 255 if v > 110 else int(v * 2.3))
        snow_mask = ImageChops.multiply(snow_mask, streak_mask)
        snow_mask = ImageChops.multiply(snow_mask, mask)
        snow_fill = _vertical_gradient((w, h), [_hex("#ffffff"), _hex("#e3ecf5"), _hex("#b8c8dc")])
        img = _paint(img, snow_fill, snow_mask)
    del top
    return img


def _trees(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    colour = _hex(layer["colour"])
    base = layer["y"] * h
    tall = layer["h"] * h
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    d.rectangle((0, base, w, h), fill=255)
    x = -tall * 0.2
    spacing = tall * 0.28 / max(layer.get("density", 0.6), 0.1)
    while x < w + tall * 0.2:
        th = tall * rng.uniform(0.55, 1.0)
        tw = th * rng.uniform(0.28, 0.38)
        ground = base + rng.uniform(-0.04, 0.06) * tall
        tiers = 4
        for t in range(tiers):
            y0 = ground - th * (t / tiers) * 0.9
            half = tw / 2 * (1 - t / (tiers + 1))
            d.polygon([(x - half, y0), (x + half, y0), (x, y0 - th * 0.42)], fill=255)
        d.rectangle((x - tw * 0.04, ground - th * 0.05, x + tw * 0.04, ground + tall * 0.1), fill=255)
        x += spacing * rng.uniform(0.5, 1.3)
    mask = mask.filter(ImageFilter.GaussianBlur(1.0))
    fill = _vertical_gradient((w, h), [_shade(colour, 1.08), colour, _shade(colour, 0.6)])
    tex = _noise(rng, (w, h), (w // 14, h // 20)).point(lambda v: 200 + v * 55 // 255)
    fill = ImageChops.multiply(fill, Image.merge("RGB", (tex, tex, tex)))
    return _paint(img, fill, mask)


def _canopy(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    base, depth = layer["y"] * h, layer["h"] * h
    colours = [_hex(c) for c in layer["colours"]]
    out = img.copy()
    d = ImageDraw.Draw(out)
    d.rectangle((0, base, w, h), fill=_shade(colours[-1], 0.55))
    r0 = depth * 0.12
    for _ in range(int(w / r0 * 14)):
        x = rng.uniform(-r0, w + r0)
        y = base + rng.uniform(-0.6, 1.0) * depth + (h - base) * rng.random() ** 3
        r = r0 * rng.uniform(0.5, 1.2) * (1 + (y - base) / h)
        c = _shade(rng.choice(colours), rng.uniform(0.75, 1.15))
        d.ellipse((x - r, y - r * 0.8, x + r, y + r * 0.8), fill=c)
    return out.filter(ImageFilter.GaussianBlur(w / 400))


def _water(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    y = int(layer["y"] * h)
    depth = h - y
    src = img.crop((0, max(0, y - depth), w, y)).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    if src.height < depth:
        src = src.resize((w, depth))
    smear = src.resize((max(2, w // 40), depth), Image.Resampling.BILINEAR).resize((w, depth), Image.Resampling.BILINEAR)
    refl = Image.blend(src.filter(ImageFilter.GaussianBlur(3)), smear, 0.5)
    tint = _vertical_gradient((w, depth), [_hex(layer["colour"]), _shade(_hex(layer["colour"]), 0.6)])
    refl = Image.blend(refl, tint, layer.get("mix", 0.4))
    d = ImageDraw.Draw(refl)
    for _ in range(int(depth * 0.6)):
        ry = rng.uniform(0, depth) ** 1.3 / depth ** 0.3
        rx = rng.uniform(-50, w)
        length = rng.uniform(20, 200) * (1 + ry / depth * 3)
        c = _shade(_hex(layer["colour"]), rng.uniform(0.8, 1.45))
        d.line((rx, ry, rx + length, ry), fill=c, width=max(1, int(1 + ry / depth * 4)))
    refl = refl.filter(ImageFilter.GaussianBlur(1.2))
    out = img.copy()
    out.paste(refl, (0, y))
    return out


def _sea(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    y = int(layer["y"] * h)
    sea = _vertical_gradient((w, h - y), [_hex(layer["far"]), _hex(layer["colour"]), _shade(_hex(layer["colour"]), 0.7)])
    d = ImageDraw.Draw(sea)
    for _ in range(int((h - y) * 1.5)):
        ry = (rng.random() ** 1.7) * (h - y)
        rx = rng.uniform(-100, w)
        length = rng.uniform(10, 120) * (1 + 6 * ry / (h - y))
        c = _shade(_hex(layer["colour"]), rng.uniform(0.85, 1.6))
        d.line((rx, ry, rx + length, ry), fill=c, width=max(1, int(1 + 5 * ry / (h - y))))
    sea = sea.filter(ImageFilter.GaussianBlur(1.3))
    out = img.copy()
    out.paste(sea, (0, y))
    return out


def _surf(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    y = layer["y"] * h
    prof = _profile(rng, 0.6, 256)
    line = [(i * w / 256, y + v * h * 0.01) for i, v in enumerate(prof)]
    mask = _soft_mask((w, h), lambda d: d.line(line, fill=200, width=max(3, h // 160)), blur=h / 300)
    return _paint(img, _hex(layer["colour"]), mask)


def _cliff(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    edge = layer["x"] * w
    top = layer["top"] * h
    prof = _profile(rng, 0.6, 256)
    face = [(edge + v * w * 0.03 - (i / 256) ** 0.5 * w * 0.05, top + (h - top) * i / 256) for i, v in enumerate(prof)]
    crest = _profile(rng, 0.5, 64)
    ridge = [(edge * i / 64, top - 0.02 * h * (v + 1) - 0.04 * h * (1 - i / 64)) for i, v in enumerate(crest)]
    poly = ridge + face + [(0, h)]
    mask = _soft_mask((w, h), lambda d: d.polygon(poly, fill=255), blur=1.2)
    colour = _hex(layer["colour"])
    fill = _vertical_gradient((w, h), [_shade(colour, 1.3), colour, _shade(colour, 0.5)])
    strata = _noise(rng, (w, h), (w // 100, h // 6)).point(lambda v: 150 + v * 105 // 255)
    grain = _noise(rng, (w, h), (w // 8, h // 12)).point(lambda v: 190 + v * 65 // 255)
    tex = ImageChops.multiply(strata, grain)
    fill = ImageChops.multiply(fill, Image.merge("RGB", (tex, tex, tex)))
    img = _paint(img, fill, mask)
    grass = [(x, y) for x, y in ridge] + [(x, y + h * 0.025) for x, y in ridge[::-1]]
    return _paint(img, _hex("#5c7a3a"), _soft_mask((w, h), lambda d: d.polygon(grass, fill=230), blur=3))


def _dunes(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    phase = [rng.uniform(0, math.tau) for _ in range(3)]
    n = 512
    line = []
    for i in range(n + 1):
        x = i / n
        v = (math.sin(x * 5.1 + phase[0]) * 0.6 + math.sin(x * 11.3 + phase[1]) * 0.3 + math.sin(x * 23.7 + phase[2]) * 0.1)
        line.append((x * w, (layer["y"] - layer["amp"] * v) * h))
    light = _hex(layer["colour"])
    dark = _hex(layer["shade"])
    mask = _soft_mask((w, h), lambda d: d.polygon(line + [(w, h), (0, h)], fill=255), blur=1.0)
    img = _paint(img, _vertical_gradient((w, h), [_shade(light, 1.1), light, _shade(light, 0.8)]), mask)
    # shadow side: the slope facing away from the low sun
    shadow = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(shadow)
    for i in range(n):
        (x0, y0), (x1, y1) = line[i], line[i + 1]
        if y1 < y0:
            d.polygon([(x0, y0), (x1, y1), (x1, y1 + h * 0.25), (x0, y0 + h * 0.25)], fill=150)
    shadow = ImageChops.multiply(shadow.filter(ImageFilter.GaussianBlur(w / 150)), mask)
    img = _paint(img, dark, shadow)
    ripples = _noise(rng, (w, h), (w // 4, h // 120)).point(lambda v: 225 + v * 30 // 255)
    return _paint(img, ImageChops.multiply(img, Image.merge("RGB", (ripples,) * 3)), mask)


def _band(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    out = img.copy()
    ImageDraw.Draw(out).rectangle((0, layer["y"] * h, w, (layer["y"] + layer["h"]) * h), fill=_hex(layer["colour"]))
    return out


def _fog(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    y, depth = layer["y"] * h, layer["h"] * h
    mask = _soft_mask((w, h), lambda d: d.rectangle((-w, y - depth / 2, 2 * w, y + depth / 2), fill=int(255 * layer["opacity"])), blur=depth / 2)
    wisps = _noise(rng, (w, h), (w // 200, h // 60)).point(lambda v: 120 + v * 135 // 255)
    return _paint(img, _hex(layer["colour"]), ImageChops.multiply(mask, wisps))


def _path(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    y = layer["y"] * h
    poly = [(w * 0.47, y), (w * 0.53, y), (w * 0.8, h), (w * 0.2, h)]
    mask = _soft_mask((w, h), lambda d: d.polygon(poly, fill=210), blur=w / 200)
    colour = _hex(layer["colour"])
    fill = _vertical_gradient((w, h), [_shade(colour, 1.2), colour, _shade(colour, 0.8)])
    return _paint(img, fill, mask)


def _hiker(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    x, feet, tall = layer["x"] * w, layer["y"] * h, layer["h"] * h
    u = tall / 10
    colour = _hex(layer["colour"])

    def body(d: ImageDraw.ImageDraw) -> None:
        d.ellipse((x - u * 0.75, feet - tall, x + u * 0.75, feet - tall + u * 1.5), fill=255)  # head
        d.rounded_rectangle((x - u * 1.3, feet - tall + u * 1.5, x + u * 1.3, feet - u * 4.2), radius=u * 0.8, fill=255)
        d.polygon([(x - u * 1.1, feet - u * 4.6), (x - u * 0.1, feet - u * 4.6), (x - u * 1.4, feet), (x - u * 2.3, feet)], fill=255)
        d.polygon([(x + u * 0.1, feet - u * 4.6), (x + u * 1.1, feet - u * 4.6), (x + u * 2.0, feet), (x + u * 1.1, feet)], fill=255)
        d.line((x + u * 1.6, feet - u * 6.5, x + u * 2.4, feet), fill=255, width=max(1, int(u * 0.25)))  # pole

    img = _paint(img, colour, _soft_mask((w, h), body, blur=max(0.6, u * 0.08)))
    if layer.get("pack"):
        pack = _soft_mask((w, h), lambda d: d.rounded_rectangle((x - u * 2.1, feet - tall + u * 2.0, x - u * 0.8, feet - u * 4.8), radius=u * 0.5, fill=255), blur=max(0.6, u * 0.08))
        img = _paint(img, _hex(layer["pack"]), pack)
    return img


def _tent(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    x, y, tw = layer["x"] * w, layer["y"] * h, layer["w"] * w
    img = _glow(img, (x, y - tw * 0.2), tw * 1.6, _hex(layer["glow"]), 0.5)
    tri = [(x - tw / 2, y), (x + tw / 2, y), (x + tw * 0.05, y - tw * 0.55)]
    img = _paint(img, _hex(layer["colour"]), _soft_mask((w, h), lambda d: d.polygon(tri, fill=255), blur=1.5))
    door = [(x - tw * 0.06, y), (x + tw * 0.14, y), (x + tw * 0.05, y - tw * 0.32)]
    return _paint(img, _hex("#fff0b8"), _soft_mask((w, h), lambda d: d.polygon(door, fill=255), blur=2))


def _kayak(img: Image.Image, rng: random.Random, layer: dict) -> Image.Image:
    w, h = img.size
    x, y, kw = layer["x"] * w, layer["y"] * h, layer["w"] * w
    wake = _soft_mask((w, h), lambda d: d.polygon([(x - kw * 0.5, y), (x - kw * 2.5, y - kw * 0.05), (x - kw * 2.5, y + kw * 0.12)], fill=120), blur=kw * 0.05)
    img = _paint(img, _hex("#e8f2f4"), wake)
    hull = _soft_mask((w, h), lambda d: d.ellipse((x - kw / 2, y - kw * 0.06, x + kw / 2, y + kw * 0.06), fill=255), blur=1.2)
    img = _paint(img, _hex(layer["colour"]), hull)
    return _hiker(img, rng, {"x": (x + kw * 0.05) / w, "y": (y - kw * 0.02) / h, "h": kw * 0.3 / h, "colour": "#1c2a33"})


LAYERS: dict[str, Callable[[Image.Image, random.Random, dict], Image.Image]] = {
    "ridge": _ridge, "trees": _trees, "canopy": _canopy, "water": _water, "sea": _sea, "surf": _surf,
    "cliff": _cliff, "dunes": _dunes, "band": _band, "fog": _fog, "path": _path, "hiker": _hiker,
    "tent": _tent, "kayak": _kayak,
}


def _scene(spec: dict, rng: random.Random) -> Image.Image:
    size = spec["size"]
    w, h = size
    img = _vertical_gradient(size, [_hex(c) for c in spec["sky"]])
    if spec.get("stars"):
        if spec.get("milky_way"):
            band = _soft_mask(size, lambda d: d.polygon([(w * 0.1, h), (w * 0.35, h), (w * 0.95, 0), (w * 0.7, 0)], fill=90), blur=w / 25)
            dust = _noise(rng, size, (w // 12, h // 12))
            img = _paint(img, _hex("#c9c3e0"), ImageChops.multiply(band, dust))
        d = ImageDraw.Draw(img)
        for _ in range(spec["stars"]):
            sx, sy = rng.uniform(0, w), (rng.random() ** 1.4) * h * 0.8
            b = int(120 + 135 * rng.random() ** 3)
            r = 0.6 + 1.8 * rng.random() ** 6
            d.ellipse((sx - r, sy - r, sx + r, sy + r), fill=(b, b, min(255, b + 20)))
    sun = spec.get("sun")
    if sun:
        cx, cy, r = sun["x"] * w, sun["y"] * h, sun["r"] * max(w, h)
        img = _glow(img, (cx, cy), r * 9, _hex(sun["glow"]), 0.55)
        img = _glow(img, (cx, cy), r * 2.5, _hex(sun["colour"]), 0.7)
        img = _paint(img, _hex(sun["colour"]), _soft_mask(size, lambda d: d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255), blur=r * 0.08))
    for layer in spec.get("layers", []):
        img = LAYERS[layer["kind"]](img, rng, layer)
    rays = spec.get("rays")
    if rays:
        cx, cy = rays["x"] * w, rays["y"] * h
        mask = Image.new("L", size, 0)
        d = ImageDraw.Draw(mask)
        for _ in range(9):
            a = rng.uniform(math.pi * 0.55, math.pi * 0.95)
            spread = rng.uniform(0.02, 0.05)
            far = 2.5 * max(w, h)
            d.polygon([(cx, cy), (cx + far * math.cos(a - spread), cy + far * math.sin(a - spread)),
                       (cx + far * math.cos(a + spread), cy + far * math.sin(a + spread))], fill=int(255 * rays["opacity"]))
        img = _paint(img, _hex(rays["colour"]), mask.filter(ImageFilter.GaussianBlur(w / 60)))
    return _finish(img, rng, grain=spec.get("grain", 12))


# --------------------------------------------------------------------------------------------
# Studio, interiors, pattern, logo
# --------------------------------------------------------------------------------------------


def _studio(spec: dict, rng: random.Random) -> Image.Image:
    w, h = spec["size"]
    back, floor = (_hex(c) for c in spec["backdrop"])
    img = _vertical_gradient((w, h), [_shade(back, 1.04), back, floor, _shade(floor, 0.92)])
    img = _glow(img, (w * 0.45, h * 0.35), w * 0.5, (255, 255, 255), 0.35)
    colour, trim = _hex(spec["colour"]), _hex(spec["trim"])
    cx = spec.get("x", 0.5) * w
    product = spec["product"]
    base = h * 0.84
    shadow = _soft_mask((w, h), lambda d: d.ellipse((cx - w * 0.24, base - h * 0.025, cx + w * 0.24, base + h * 0.03), fill=150), blur=w / 45)
    img = _paint(img, _shade(floor, 0.55), shadow)
    shading = Image.linear_gradient("L").rotate(90, expand=True).resize((w, h))  # light from the left
    shading = shading.point(lambda v: 255 - v * 110 // 255)
    shade_rgb = Image.merge("RGB", (shading,) * 3)

    def part(img: Image.Image, colour: RGB, shape: Callable[[ImageDraw.ImageDraw], None], blur: float = 1.5) -> Image.Image:
        fill = ImageChops.multiply(Image.new("RGB", (w, h), _shade(colour, 1.25)), shade_rgb)
        return _paint(img, fill, _soft_mask((w, h), shape, blur=blur))

    if product == "backpack":
        bw, bh = w * 0.36, h * 0.56
        top = base - bh
        img = part(img, _shade(colour, 0.7), lambda d: d.rounded_rectangle((cx - bw * 0.18, top - h * 0.06, cx + bw * 0.18, top + h * 0.02), radius=w * 0.03, outline=255, width=int(w * 0.012)))
        img = part(img, colour, lambda d: d.rounded_rectangle((cx - bw / 2, top, cx + bw / 2, base), radius=bw * 0.22, fill=255))
        img = part(img, _shade(colour, 0.8), lambda d: d.rounded_rectangle((cx - bw * 0.52, top - h * 0.01, cx + bw * 0.52, top + bh * 0.24), radius=bw * 0.2, fill=255))
        img = part(img, _shade(colour, 0.86), lambda d: d.rounded_rectangle((cx - bw * 0.34, top + bh * 0.5, cx + bw * 0.34, base - bh * 0.06), radius=bw * 0.12, fill=255))
        img = part(img, trim, lambda d: d.line((cx - bw * 0.3, top + bh * 0.53, cx + bw * 0.3, top + bh * 0.53), fill=255, width=int(w * 0.006)))
        img = part(img, _shade(colour, 0.55), lambda d: (d.line((cx - bw * 0.5, top + bh * 0.32, cx - bw * 0.62, base - bh * 0.1), fill=255, width=int(w * 0.02)),
                                                          d.line((cx + bw * 0.5, top + bh * 0.32, cx + bw * 0.62, base - bh * 0.1), fill=255, width=int(w * 0.02))))
        img = part(img, trim, lambda d: d.polygon([(cx, top + bh * 0.3), (cx - bw * 0.07, top + bh * 0.42), (cx + bw * 0.07, top + bh * 0.42)], fill=255))
    elif product == "jacket":
        jw, jh = w * 0.62, h * 0.62
        top = base - jh
        body = [(cx - jw * 0.22, top), (cx + jw * 0.22, top), (cx + jw * 0.34, top + jh * 0.08), (cx + jw * 0.5, top + jh * 0.75),
                (cx + jw * 0.4, top + jh * 0.78), (cx + jw * 0.3, top + jh * 0.35), (cx + jw * 0.3, base), (cx - jw * 0.3, base),
                (cx - jw * 0.3, top + jh * 0.35), (cx - jw * 0.4, top + jh * 0.78), (cx - jw * 0.5, top + jh * 0.75), (cx - jw * 0.34, top + jh * 0.08)]
        img = part(img, colour, lambda d: d.polygon(body, fill=255), blur=2)
        img = part(img, _shade(colour, 0.7), lambda d: d.ellipse((cx - jw * 0.17, top - jh * 0.1, cx + jw * 0.17, top + jh * 0.09), fill=255))
        img = part(img, trim, lambda d: d.line((cx, top + jh * 0.04, cx, base), fill=255, width=int(w * 0.006)))
        img = part(img, trim, lambda d: (d.line((cx - jw * 0.25, top + jh * 0.5, cx - jw * 0.1, top + jh * 0.45), fill=255, width=int(w * 0.004)),
                                         d.line((cx + jw * 0.25, top + jh * 0.5, cx + jw * 0.1, top + jh * 0.45), fill=255, width=int(w * 0.004))))
        img = part(img, _shade(colour, 0.8), lambda d: d.rectangle((cx - jw * 0.3, base - jh * 0.05, cx + jw * 0.3, base), fill=255))
    else:  # bottle
        bw, bh = w * 0.17, h * 0.55
        top = base - bh
        img = part(img, colour, lambda d: d.rounded_rectangle((cx - bw / 2, top, cx + bw / 2, base), radius=bw * 0.3, fill=255))
        img = part(img, trim, lambda d: d.rounded_rectangle((cx - bw * 0.3, top - h * 0.07, cx + bw * 0.3, top + h * 0.01), radius=bw * 0.1, fill=255))
        img = part(img, trim, lambda d: d.ellipse((cx - bw * 0.08, top - h * 0.11, cx + bw * 0.32, top - h * 0.04), outline=255, width=int(w * 0.008)))
        img = part(img, _hex("#f4efe6"), lambda d: d.rectangle((cx - bw / 2, top + bh * 0.42, cx + bw / 2, top + bh * 0.56), fill=255))
        highlight = _soft_mask((w, h), lambda d: d.rounded_rectangle((cx - bw * 0.33, top + bh * 0.08, cx - bw * 0.2, base - bh * 0.08), radius=bw * 0.06, fill=140), blur=w / 150)
        img = _paint(img, (255, 255, 255), highlight)
    return _finish(img, rng, grain=spec.get("grain", 6), vignette=0.12)


def _interior(spec: dict, rng: random.Random) -> Image.Image:
    w, h = spec["size"]
    top, bottom = (_hex(c) for c in spec["wall"])
    img = _vertical_gradient((w, h), [top, bottom, _shade(bottom, 0.7)])
    wx0, wy0, wx1, wy1 = w * 0.08, h * 0.12, w * 0.42, h * 0.58
    light = _hex(spec["window"])
    img = _glow(img, ((wx0 + wx1) / 2, (wy0 + wy1) / 2), w * 0.35, light, 0.45)
    d = ImageDraw.Draw(img)
    d.rectangle((wx0, wy0, wx1, wy1), fill=light)
    for i in range(1, 4):
        x = wx0 + (wx1 - wx0) * i / 4
        d.line((x, wy0, x, wy1), fill=_shade(bottom, 0.6), width=int(w * 0.006))
    d.line((wx0, (wy0 + wy1) / 2, wx1, (wy0 + wy1) / 2), fill=_shade(bottom, 0.6), width=int(w * 0.006))
    shaft = _soft_mask((w, h), lambda d: d.polygon([(wx0, wy0), (wx1, wy0), (w * 0.85, h), (w * 0.3, h)], fill=70), blur=w / 40)
    img = _paint(img, light, shaft)
    # workbench and tools on the wall
    d = ImageDraw.Draw(img)
    d.rectangle((w * 0.0, h * 0.7, w, h * 0.76), fill=_shade(top, 0.8))
    d.rectangle((0, h * 0.76, w, h), fill=_shade(bottom, 0.8))
    for i in range(9):
        x = w * (0.52 + i * 0.05)
        length = h * rng.uniform(0.08, 0.18)
        d.line((x, h * 0.25, x, h * 0.25 + length), fill=_shade(bottom, 0.55), width=int(w * 0.006))
        d.ellipse((x - w * 0.006, h * 0.245, x + w * 0.006, h * 0.258), fill=_shade(top, 1.3))
    img = img.filter(ImageFilter.GaussianBlur(2))
    if spec.get("bokeh"):
        bokeh = _hex(spec["bokeh"])
        spots = [(rng.uniform(0, w), rng.uniform(0, h * 0.6), rng.uniform(w * 0.01, w * 0.035), rng.randrange(40, 110)) for _ in range(40)]
        mask = _soft_mask((w, h), lambda d: [d.ellipse((x - r, y - r, x + r, y + r), fill=a) for x, y, r, a in spots], blur=w / 400)
        img = _paint(img, bokeh, mask)
    for i in range(spec.get("people", 0)):
        px = w * (0.3 + 0.22 * i + rng.uniform(-0.03, 0.03))
        tall = h * rng.uniform(0.5, 0.62)
        sil = _shade(bottom, 0.35)

        def person(d: ImageDraw.ImageDraw, px: float = px, tall: float = tall) -> None:
            d.ellipse((px - tall * 0.07, h * 0.76 - tall, px + tall * 0.07, h * 0.76 - tall * 0.82), fill=255)
            d.rounded_rectangle((px - tall * 0.15, h * 0.76 - tall * 0.8, px + tall * 0.15, h * 1.05), radius=tall * 0.08, fill=255)

        img = _paint(img, sil, _soft_mask((w, h), person, blur=w / 600))
    img = _finish(img, rng, grain=spec.get("grain", 14), vignette=0.35)
    if spec.get("mode") == "L":
        img = ImageOps.autocontrast(img.convert("L"), cutoff=0.5)
    return img


def _topo(spec: dict, rng: random.Random) -> Image.Image:
    w, h = spec["size"]
    field = _noise(rng, (w, h), (7, 7))
    field = ImageChops.add(field.point(lambda v: v * 7 // 10), _noise(rng, (w, h), (19, 19)).point(lambda v: v * 3 // 10))
    field = field.filter(ImageFilter.GaussianBlur(w / 200))
    bands = field.point(lambda v: 255 if (v // 9) % 2 else 0)
    lines = bands.filter(ImageFilter.FIND_EDGES).filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.GaussianBlur(0.8))
    major = field.point(lambda v: 255 if (v // 45) % 2 else 0).filter(ImageFilter.FIND_EDGES).filter(ImageFilter.MaxFilter(5))
    img = Image.new("RGB", (w, h), _hex(spec["ground"]))
    img = _paint(img, _hex(spec["line"]), lines)
    img = _paint(img, _hex(spec["accent"]), major.filter(ImageFilter.GaussianBlur(1)))
    return img


def _logo(spec: dict, rng: random.Random) -> Image.Image:
    """Drawn at 2x and reduced, for clean anti-aliased edges on a transparent background."""
    w, h = spec["size"]
    s = 2
    W, H = w * s, h * s
    img = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    cx, cy, r = W / 2, H / 2, W * 0.44
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_hex(spec["ring"]) + (255,))
    r2 = r * 0.86
    d.ellipse((cx - r2, cy - r2, cx + r2, cy + r2), fill=(0, 0, 0, 0))
    inner = Image.new("L", (W, H), 0)
    ImageDraw.Draw(inner).ellipse((cx - r2 * 0.94, cy - r2 * 0.94, cx + r2 * 0.94, cy + r2 * 0.94), fill=255)
    art = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    a = ImageDraw.Draw(art)
    a.polygon([(cx - r * 0.95, cy + r * 0.45), (cx - r * 0.25, cy - r * 0.35), (cx + r * 0.05, cy + r * 0.02),
               (cx + r * 0.3, cy - r * 0.18), (cx + r * 0.95, cy + r * 0.45), (cx + r, cy + r), (cx - r, cy + r)],
              fill=_hex(spec["mountain"]) + (255,))
    a.polygon([(cx - r * 0.25, cy - r * 0.35), (cx - r * 0.09, cy - r * 0.17), (cx - r * 0.2, cy - r * 0.2),
               (cx - r * 0.3, cy - r * 0.13), (cx - r * 0.4, cy - r * 0.2)], fill=_hex(spec["snow"]) + (255,))
    a.polygon([(cx + r * 0.3, cy - r * 0.72), (cx + r * 0.38, cy - r * 0.1), (cx + r * 0.22, cy - r * 0.1)], fill=_hex(spec["needle"]) + (255,))
    a.polygon([(cx + r * 0.3, cy + r * 0.5), (cx + r * 0.38, cy - r * 0.1), (cx + r * 0.22, cy - r * 0.1)], fill=_hex(spec["ring"]) + (255,))
    clipped = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    clipped.paste(art, (0, 0), ImageChops.multiply(inner, art.getchannel("A")))
    img = Image.alpha_composite(img, clipped)
    return img.resize((w, h), Image.Resampling.LANCZOS)


# --------------------------------------------------------------------------------------------
# Writers for each maker
# --------------------------------------------------------------------------------------------


def _exif(spec: dict, orientation: int | None) -> bytes:
    meta = spec.get("exif")
    exif = Image.Exif()
    if meta:
        exif[0x010F] = meta["make"]
        exif[0x0110] = meta["model"]
        exif[0x0131] = "Northwind demo generator 1.0"
        exif[0x0132] = meta["taken"]
        sub = exif.get_ifd(0x8769)
        sub[0x9003] = meta["taken"]
        sub[0x9004] = meta["taken"]
        for tag, key in ((0x8827, "iso"), (0x829D, "f"), (0x829A, "shutter"), (0x920A, "focal")):
            if key in meta:
                sub[tag] = meta[key]
        if "lens" in meta:
            sub[0xA434] = meta["lens"]
    if orientation:
        exif[0x0112] = orientation
    gps = spec.get("gps")
    if gps:
        g = exif.get_ifd(0x8825)

        def dms(value: float) -> tuple[float, float, float]:
            value = abs(value)
            deg = int(value)
            minutes = int((value - deg) * 60)
            return float(deg), float(minutes), round((value - deg - minutes / 60) * 3600, 2)

        g[0x0000] = b"\x02\x03\x00\x00"
        g[0x0001] = "N" if gps["lat"] >= 0 else "S"
        g[0x0002] = dms(gps["lat"])
        g[0x0003] = "E" if gps["lon"] >= 0 else "W"
        g[0x0004] = dms(gps["lon"])
        g[0x0005] = b"\x00"
        g[0x0006] = gps["alt"]
    return exif.tobytes()


def _write_image(spec: dict, path: Path, rng: random.Random) -> None:
    img = {"scene": _scene, "studio": _studio, "interior": _interior, "topo": _topo, "logo": _logo}[spec["make"]](spec, rng)
    if path.suffix == ".png":
        img.save(path, "PNG", optimize=False, compress_level=9)
        return
    orientation = spec.get("orientation")
    if orientation == 6:
        img = img.transpose(Image.Transpose.ROTATE_90)  # stored sideways; Orientation 6 turns it back
    mode = spec.get("mode")
    if mode == "CMYK":
        img = img.convert("CMYK")
    elif mode == "L" and img.mode != "L":
        img = img.convert("L")
    dpi = spec.get("dpi", 72)
    img.save(path, "JPEG", quality=spec.get("quality", 86), subsampling=2 if mode != "CMYK" else 0,
             exif=_exif(spec, orientation), dpi=(dpi, dpi), optimize=False, progressive=False)


_FFMPEG_EXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1", "-threads", "1"]


def _ffmpeg(args: list[str]) -> None:
    exe = shutil.which("ffmpeg")
    if not exe:
        raise RuntimeError("ffmpeg is not installed; the demo videos and audio need it")
    subprocess.run([exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _write_video(spec: dict, path: Path, rng: random.Random) -> None:
    w, h = spec["size"]
    seconds = spec["seconds"]
    seed = spec["seed"]
    video = spec["video"].format(w=w, h=h, d=seconds, seed=seed)
    tones = spec.get("tones", [])
    inputs = ["-f", "lavfi", "-i", video]
    parts = []
    for i, freq in enumerate(tones):
        inputs += ["-f", "lavfi", "-i", f"sine=frequency={freq}:sample_rate=48000:duration={seconds}"]
        parts.append(f"[{i + 1}:a]volume={0.25 / (i + 1):.3f},tremolo=f={1.5 + i * 0.7:.1f}:d=0.4[t{i}]")
    n = len(tones) + 1
    inputs += ["-f", "lavfi", "-i", f"anoisesrc=color=pink:sample_rate=48000:duration={seconds}:amplitude={spec.get('noise', 0.05)}:seed={seed}"]
    labels = "".join(f"[t{i}]" for i in range(len(tones))) + f"[{n}:a]"
    parts.append(f"{labels}amix=inputs={n}:duration=first:normalize=0,afade=t=in:d=0.5,afade=t=out:st={seconds - 0.8}:d=0.8,"
                 f"aformat=sample_fmts=fltp:channel_layouts=stereo[a]")
    encode = ["-filter_complex", ";".join(parts), "-map", "0:v", "-map", "[a]",
              "-c:v", "libx264", "-preset", "veryfast", "-crf", "24", "-pix_fmt", "yuv420p", "-profile:v", "high",
              "-g", "50", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-t", str(seconds), "-movflags", "+faststart", *_FFMPEG_EXACT]
    rotate = spec.get("rotate")
    if not rotate:
        _ffmpeg([*inputs, *encode, str(path)])
        return
    # ffmpeg 5 only writes a rotation (display matrix) when stream-copying, so remux once more
    flat = path.with_name(path.stem + ".unrotated.mp4")
    try:
        _ffmpeg([*inputs, *encode, str(flat)])
        _ffmpeg(["-i", str(flat), "-map", "0", "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", "-movflags", "+faststart",
                 "-fflags", "+bitexact", "-map_metadata", "-1", str(path)])
    finally:
        flat.unlink(missing_ok=True)


def _synth(spec: dict) -> tuple[array, int]:
    """A short piece from sine tones: a plucked melody over a soft pad and a bass line.

    Pure Python, kept quick with a one-period wavetable, C-level map/accumulate for each note
    and a cache of rendered notes (every bar repeats the melody).
    """
    rate = 44100
    seconds = spec["seconds"]
    n = int(rate * seconds)
    left = array("f", bytes(4 * n))
    right = array("f", bytes(4 * n))
    beat = 60.0 / spec["tempo"] / 2  # eighth notes
    root = spec["root"]
    size = 4096
    tables: dict[tuple[float, float], list[float]] = {}
    notes: dict[tuple, array] = {}

    def freq(semitone: int) -> float:
        return 440.0 * 2 ** ((root + semitone - 69) / 12)

    def render(f: float, length: int, decay: float, harmonics: tuple[float, float]) -> array:
        key = (f, length, decay, harmonics)
        if key not in notes:
            if harmonics not in tables:
                tables[harmonics] = [math.sin(math.tau * i / size) + harmonics[0] * math.sin(2 * math.tau * i / size)
                                     + harmonics[1] * math.sin(3 * math.tau * i / size) for i in range(size)]
            table = tables[harmonics]
            inc = f * size / rate
            wave = map(table.__getitem__, [int(k * inc) % size for k in range(length)])
            env = accumulate(repeat(math.exp(-decay / rate), length - 1), operator.mul, initial=1.0)
            attack = min(length, int(0.01 * rate))
            ramp = chain((k / attack for k in range(attack)), repeat(1.0, length - attack))
            notes[key] = array("f", map(operator.mul, map(operator.mul, wave, env), ramp))
        return notes[key]

    def add(start: float, length: float, f: float, amp: float, pan: float, decay: float, harmonics: tuple[float, float]) -> None:
        i0 = int(start * rate)
        i1 = min(n, i0 + int(length * rate))
        if i1 <= i0:
            return
        note = render(f, i1 - i0, decay, harmonics)
        for channel, gain in ((left, amp * (1 - pan)), (right, amp * (1 + pan))):
            channel[i0:i1] = array("f", map(operator.add, channel[i0:i1], map(operator.mul, note, repeat(gain))))

    melody = spec["melody"]
    chords = spec["chords"]
    bar = beat * len(melody)
    t = 0.0
    bar_index = 0
    while t < seconds - 0.5:
        chord = chords[bar_index % len(chords)]
        length = min(bar, seconds - t)
        for tone in chord:  # pad
            add(t, length, freq(tone - 12), spec["pad"] / len(chord), -0.3, 0.6, (0.15, 0.05))
        add(t, length, freq(chord[0] - 24), 0.22, 0.0, 1.2, (0.3, 0.1))  # bass
        for j, note in enumerate(melody):
            start = t + j * beat
            if note is None or start >= seconds - 0.3:
                continue
            add(start, min(beat * 3, seconds - start), freq(note), 0.2, 0.35 if j % 2 else -0.1, 3.5, (0.35, 0.12))
        t += bar
        bar_index += 1
    peak = max(max(left), -min(left), max(right), -min(right)) or 1.0
    gain = 0.8 * 32767 / peak
    fade = int(1.5 * rate)
    envelope = [gain * min(1.0, (n - i) / fade) for i in range(n)]
    pcm = array("h", bytes(4 * n))
    pcm[0::2] = array("h", map(round, map(operator.mul, left, envelope)))
    pcm[1::2] = array("h", map(round, map(operator.mul, right, envelope)))
    return pcm, rate


def _write_audio(spec: dict, path: Path, rng: random.Random) -> None:
    pcm, rate = _synth(spec)
    if sys.byteorder != "little":  # WAV and s16le are little-endian
        pcm.byteswap()
    if path.suffix == ".wav":
        with wave.open(str(path), "wb") as out:
            out.setnchannels(2)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(pcm.tobytes())
        return
    raw = path.with_name(path.stem + ".pcm")
    try:
        raw.write_bytes(pcm.tobytes())
        _ffmpeg(["-f", "s16le", "-ar", str(rate), "-ac", "2", "-i", str(raw), "-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart", *_FFMPEG_EXACT, str(path)])
    finally:
        raw.unlink(missing_ok=True)


def _write_pdf(spec: dict, path: Path, rng: random.Random) -> None:
    """A4 pages at 100 dpi: a title, body copy, colour blocks and drawn shapes."""
    w, h = 827, 1169
    pine, ember, glacier, sand = _hex("#1f3a3d"), _hex("#e07a2f"), _hex("#9cc3cf"), _hex("#e9dfcc")
    title_font = ImageFont.load_default(size=46)
    body_font = ImageFont.load_default(size=20)
    small = ImageFont.load_default(size=14)
    pages = []
    logo = _logo(MASTERS["brand-identity/northwind-logo-primary.png"], rng).resize((160, 160), Image.Resampling.LANCZOS)
    for number, page in enumerate(spec["pages"], start=1):
        img = Image.new("RGB", (w, h), (252, 250, 246))
        d = ImageDraw.Draw(img)
        layout = page["layout"]
        if layout == "cover":
            d.rectangle((0, 0, w, h * 0.62), fill=pine)
            photo = _scene({**MASTERS["outdoor-photography/summit-sunrise-2025.jpg"], "size": (w, int(h * 0.42))}, random.Random(spec["seed"]))
            img.paste(photo, (0, int(h * 0.2)))
            img.paste(logo, (60, 50), logo)
            d.text((60, h * 0.68), page["heading"], font=ImageFont.load_default(size=60), fill=pine)
        else:
            d.rectangle((0, 0, w, 120), fill=pine)
            d.rectangle((0, 120, w, 128), fill=ember)
            d.text((60, 40), page["heading"], font=title_font, fill=(255, 255, 255))
        y = h * 0.76 if layout == "cover" else 170
        words, line = page["body"].split(), ""
        for word in words:
            trial = f"{line} {word}".strip()
            if d.textlength(trial, font=body_font) > w - 120:
                d.text((60, y), line, font=body_font, fill=(40, 40, 40))
                y += 30
                line = word
            else:
                line = trial
        d.text((60, y), line, font=body_font, fill=(40, 40, 40))
        y += 60
        if layout == "logo":
            for i, bg in enumerate([(255, 255, 255), pine, sand]):
                x0 = 60 + i * 240
                d.rectangle((x0, y, x0 + 220, y + 220), fill=bg, outline=(200, 200, 200))
                img.paste(logo, (x0 + 30, int(y) + 30), logo)
            y += 260
            d.rectangle((60, y, w - 60, y + 300), outline=ember, width=3)
            d.line((60, y, w - 60, y + 300), fill=ember, width=3)
            d.line((60, y + 300, w - 60, y), fill=ember, width=3)
            d.text((80, y + 310), "Do not distort, rotate or recolour the mark.", font=small, fill=(90, 90, 90))
        elif layout == "swatches":
            names = [("Pine", pine, "#1F3A3D"), ("Ember", ember, "#E07A2F"), ("Glacier", glacier, "#9CC3CF"), ("Sand", sand, "#E9DFCC")]
            for i, (name, colour, code) in enumerate(names):
                x0 = 60 + (i % 2) * 360
                y0 = y + (i // 2) * 330
                d.rounded_rectangle((x0, y0, x0 + 330, y0 + 250), radius=18, fill=colour)
                d.text((x0, y0 + 262), f"{name}  {code}  RGB {colour[0]} {colour[1]} {colour[2]}", font=small, fill=(60, 60, 60))
        elif layout == "photos":
            for i, key in enumerate(["outdoor-photography/alpine-lake-reflection.jpg", "outdoor-photography/desert-dunes-dusk.jpg",
                                     "outdoor-photography/winter-ridge-snow.jpg", "outdoor-photography/coastal-cliffs-kayak.jpg"]):
                thumb = _scene({**MASTERS[key], "size": (330, 220)}, random.Random(spec["seed"] + i))
                x0 = 60 + (i % 2) * 360
                y0 = int(y) + (i // 2) * 270
                img.paste(thumb, (x0, y0))
                ok = i % 2 == 0
                d.ellipse((x0 + 290, y0 + 180, x0 + 320, y0 + 210), fill=(46, 139, 87) if ok else (192, 57, 43))
        elif layout == "spec":
            img.paste(_studio({**MASTERS["product/stormshell-jacket.jpg"], "size": (340, 425)}, random.Random(spec["seed"])), (60, int(y)))
            rows = [("Shell", "3-layer, 100% recycled polyamide"), ("Membrane", "PFC-free, 20,000 mm HH"), ("Breathability", "25,000 g/m2/24h"),
                    ("Weight", "420 g (size M)"), ("Seams", "Fully taped"), ("Hood", "Helmet-compatible"), ("Origin", "Made in Portugal")]
            for i, (k, v) in enumerate(rows):
                ry = y + i * 56
                d.rectangle((430, ry, w - 60, ry + 48), fill=sand if i % 2 == 0 else (252, 250, 246))
                d.text((440, ry + 14), k, font=small, fill=pine)
                d.text((560, ry + 14), v, font=small, fill=(50, 50, 50))
        d.rectangle((0, h - 50, w, h), fill=sand)
        d.text((60, h - 34), f"Northwind Outfitters  |  {spec['title']}  |  page {number} of {len(spec['pages'])}", font=small, fill=pine)
        pages.append(img)
    fixed = time.struct_time((2026, 1, 15, 9, 0, 0, 3, 15, 0))
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=100.0, title=spec["title"],
                  author="Northwind Outfitters", creator="Northwind demo generator", producer="Northwind demo generator",
                  creationDate=fixed, modDate=fixed, quality=85)


WRITERS: dict[str, Callable[[dict, Path, random.Random], None]] = {
    "scene": _write_image, "studio": _write_image, "interior": _write_image, "topo": _write_image, "logo": _write_image,
    "video": _write_video, "audio": _write_audio, "pdf": _write_pdf,
}


def _seed(name: str, spec: dict) -> int:
    return spec.get("seed", 0) * 1_000_003 + sum(name.encode())


def _make(root: Path, name: str) -> Path:
    spec = MASTERS[name]
    target = root / "media" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    # write beside the target and move into place, so an interrupted run never leaves a
    # truncated master that a later `only_missing` run would mistake for a finished one
    fd, tmp = tempfile.mkstemp(prefix=".demo-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        WRITERS[spec["make"]](spec, tmp_path, random.Random(_seed(name, spec)))
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
    return target


def generate_masters(root: Path, *, only_missing: bool = True, jobs: int | None = None) -> list[Path]:
    """Write every master in MASTERS under `root`/media/; return the paths written.

    With `only_missing` (the default) masters that already exist are left alone, so the call
    is cheap once the demo has been generated. Output bytes depend only on the table and the
    installed Pillow/zlib/libjpeg/ffmpeg versions.
    """
    root = Path(root)
    names = sorted(n for n in MASTERS if not (only_missing and (root / "media" / n).is_file()))
    if not names:
        return []
    # slow makers first, so the pool is not left waiting on one video at the end
    names.sort(key=lambda n: (MASTERS[n]["make"] not in ("video", "audio"), n))
    workers = jobs or max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        written = list(pool.map(lambda n: _make(root, n), names))
    return sorted(written)


__all__ = ["MASTERS", "generate_masters"]
