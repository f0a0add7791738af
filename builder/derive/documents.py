"""The document engine: the first page of a PDF, rendered by pdfium (pypdfium2).

The file must start like a PDF before pdfium sees it, and the render is sized for the largest
output and capped by the pixel limit, so a page declaring a huge MediaBox cannot exhaust memory.
Pages are rendered onto white, without the pdfium form layer, and encoded by Pillow: the same
PDF gives the same bytes.
"""

from __future__ import annotations

import math
import os

import pypdfium2 as pdfium

from builder.derive import ffmpeg
from builder.derive.video import save_still
from builder.jobs import MasterError, MasterJob

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW = 1024  # the PDF spec lets the header sit within the first 1024 bytes
WHITE = (255, 255, 255, 255)


def render_document(job: MasterJob) -> None:
    """Write every output of `job`; on failure raise MasterError and leave none of them."""
    unknown = [o.kind for o in job.outputs if o.kind != "page"]
    if unknown:
        raise MasterError(f"the document engine cannot make a {unknown[0]} rendition")
    name = os.path.basename(job.master)
    try:
        page = first_page(job)
        for output in job.outputs:
            save_still(page, output)
    except MasterError:
        ffmpeg.remove(o.path for o in job.outputs)
        raise
    except (pdfium.PdfiumError, OSError, ValueError) as error:
        ffmpeg.remove(o.path for o in job.outputs)
        raise MasterError(f"{name}: the first page could not be rendered ({error})") from None
    except BaseException:
        ffmpeg.remove(o.path for o in job.outputs)
        raise


def first_page(job: MasterJob):
    """Page 1 as an RGB Pillow image, large enough for the biggest output and no larger."""
    name = os.path.basename(job.master)
    with open(job.master, "rb") as f:
        if PDF_MAGIC not in f.read(MAGIC_WINDOW):
            raise MasterError(f"{name}: not a PDF (the file does not start with %PDF-)")
    try:
        document = pdfium.PdfDocument(job.master)
    except pdfium.PdfiumError as error:
        raise MasterError(f"{name}: not a readable PDF ({error})") from None
    try:
        if len(document) == 0:
            raise MasterError(f"{name}: the PDF has no pages")
        page = document[0]
        try:
            width_pt, height_pt = page.get_size()
            if width_pt <= 0 or height_pt <= 0:
                raise MasterError(f"{name}: the first page has no size")
            scale = render_scale((width_pt, height_pt), job)
            bitmap = page.render(scale=scale, fill_color=WHITE, may_draw_forms=False)
            try:
                return bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
        finally:
            page.close()
    finally:
        document.close()


def render_scale(size_pt: tuple[float, float], job: MasterJob) -> float:
    """Pixels per point: enough for the largest output box (a page is vector, so this may
    enlarge it), within the pixel limit."""
    width, height = size_pt
    fits = [
        min(o.width / width if o.width else math.inf, o.height / height if o.height else math.inf)
        for o in job.outputs
    ]
    scale = max((f for f in fits if math.isfinite(f)), default=1.0)
    pixels = width * height * scale * scale
    if pixels > job.limits.max_image_pixels:
        scale *= (job.limits.max_image_pixels / pixels) ** 0.5
    return scale
