"""Brand colours made readable: WCAG AA contrast for the theme the portal generates."""

from __future__ import annotations





# --- brand colours that pass WCAG AA ---------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable(colour: str, against: str = "#ffffff", ratio: float = 4.6) -> str:
    """The brand colour, darkened just enough to read against `against` (AA is 4.5:1)."""
    r, g, b = _rgb(colour)
    for _ in range(60):
        candidate = f"#{r:02x}{g:02x}{b:02x}"
        if contrast(candidate, against) >= ratio:
            return candidate
        r, g, b = int(r * 0.93), int(g * 0.93), int(b * 0.93)
    return "#000000"


def theme_css(primary: str, accent: str) -> str:
    return (
        ":root {\n"
        f"  --brand: {readable(primary)};\n"
        f"  --brand-raw: {primary.lower()};\n"
        f"  --accent: {readable(accent)};\n"
        f"  --accent-raw: {accent.lower()};\n"
        "}\n"
    )


