"""The one safe way to run ffprobe and ffmpeg on a master.

- Masters are opened only through known container demuxers: ffprobe runs with a
  `-format_whitelist`, its JSON `format.format_name` is checked again, and ffmpeg is then told
  the demuxer with `-f`, so a playlist, a concat script or an image named .mp4 never reaches a
  decoder. Only the `file` protocol is allowed.
- Paths are `file:`-prefixed items of an argument list, never a shell string, so names with a
  colon or a leading dash are just names.
- Every process runs in its own session with a timeout (the whole group is killed when it
  expires) and an address-space limit; stderr goes to a temporary file and only its last line
  reaches the error message.
- A non-zero exit, a timeout, or an output that is missing or empty is a `MasterError`, and
  every output of that run is deleted.

Deterministic output: `-map_metadata -1`, `-fflags +bitexact`, `-flags:v/a +bitexact`, and a fixed
encoder thread count (x264's bitstream depends on its number of threads, not on the machine).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import tempfile
from collections.abc import Iterable, Sequence

from builder.jobs import EngineLimits, MasterError

# Demuxers that may open a master, as ffprobe names them in format.format_name.
AV_DEMUXERS = frozenset(
    {
        "mov", "mp4", "m4a", "3gp", "3g2", "mj2",  # ISO BMFF / QuickTime
        "matroska", "webm",
        "avi",
        "mpegts",
        "mp3",
        "wav",
        "aiff",
        "flac",
        "ogg",
        "aac",
    }
)

# One encoder thread: x264's output depends on its thread count, and with 4 frame threads two
# renders of the same master differed now and then in a full test run (never reproduced in
# isolation). The derive pool already runs one master per core, and a lone 720p encode is
# only about 12% slower in wall time with one thread (same CPU time).
ENCODER_THREADS = 1
# Decoding is bit-exact whatever the thread count; cap it so memory stays bounded on big hosts.
DECODER_THREADS = max(1, min(os.cpu_count() or 1, 8))

GLOBAL_ARGS = ("-nostdin", "-hide_banner", "-loglevel", "error")
# Output options that make the muxed bytes depend only on the inputs.
BITEXACT = {
    "map_metadata": -1,
    "map_chapters": -1,
    "fflags": "+bitexact",
    "flags:v": "+bitexact",
    "flags:a": "+bitexact",
}


class Timeout(MasterError):
    """ffmpeg or ffprobe ran past `limits.ffmpeg_timeout_s` and was killed."""


def file_url(path: str) -> str:
    """`file:` + absolute path: ffmpeg reads no protocol or option out of the name."""
    return "file:" + os.path.abspath(path)


def input_options(demuxer: str) -> dict:
    """ffmpeg-python keyword arguments for opening a master checked by `probe`."""
    return {"format": demuxer, "protocol_whitelist": "file", "threads": DECODER_THREADS}


def probe(path: str, limits: EngineLimits, *, demuxers: Iterable[str] = AV_DEMUXERS) -> dict:
    """ffprobe's JSON (`format` and `streams`) for a master, under the engine limits.

    A container outside `demuxers` (an HLS playlist, a concat script, an image or text file
    named .mp4 ...) is refused with MasterError before any decoder sees it.
    """
    allowed = frozenset(demuxers)
    args = [
        "ffprobe", "-hide_banner", "-loglevel", "error",
        "-protocol_whitelist", "file",
        "-format_whitelist", ",".join(sorted(allowed)),
        "-of", "json", "-show_format", "-show_streams",
        file_url(path),
    ]
    name = os.path.basename(path)
    try:
        out = run(args, limits, capture_stdout=True, what="ffprobe")
        info = json.loads(out)
    except Timeout:
        raise
    except MasterError as error:
        detail = str(error).replace(args[-1], name)
        raise MasterError(f"{name}: not a readable audio or video file in an accepted container ({detail})") from None
    except ValueError:
        raise MasterError(f"{name}: ffprobe returned no readable description") from None
    demuxer(info, allowed, path)
    return info


def demuxer(info: dict, allowed: Iterable[str] = AV_DEMUXERS, path: str = "") -> str:
    """The demuxer to pass with `-f`, or MasterError if the container is not allowed."""
    name = str(info.get("format", {}).get("format_name", ""))
    parts = [part for part in name.split(",") if part]
    allowed = frozenset(allowed)
    if not parts or not set(parts) <= allowed:
        label = os.path.basename(path) or "the master"
        raise MasterError(f"{label}: the container {name or 'unknown'!r} is not an accepted audio or video format")
    if not info.get("streams"):
        raise MasterError(f"{os.path.basename(path) or 'the master'}: no audio or video streams")
    return parts[0]


def first_stream(info: dict, codec_type: str) -> dict | None:
    """The first real stream of a type (cover art is a 'video' stream and is skipped)."""
    for stream in info.get("streams", ()):
        if stream.get("codec_type") != codec_type:
            continue
        if codec_type == "video" and stream.get("disposition", {}).get("attached_pic"):
            continue
        return stream
    return None


def duration(info: dict, stream: dict | None = None) -> float | None:
    for source in (stream or {}, info.get("format", {})):
        try:
            value = float(source.get("duration"))
        except (TypeError, ValueError):
            continue
        if value > 0:
            return value
    return None


def run(
    args: Sequence[str],
    limits: EngineLimits,
    *,
    outputs: Sequence[str] = (),
    capture_stdout: bool = False,
    what: str = "ffmpeg",
) -> bytes:
    """Run an ffmpeg/ffprobe argument list under the limits; return stdout if captured.

    On any failure every path in `outputs` is deleted and MasterError is raised.
    """
    timeout = limits.ffmpeg_timeout_s
    env = dict(os.environ, MALLOC_ARENA_MAX="2", AV_LOG_FORCE_NOCOLOR="1")
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                list(args),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if capture_stdout else subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
                preexec_fn=_memory_limit(limits.ffmpeg_memory_mb),
                env=env,
            )
        except FileNotFoundError:
            raise RuntimeError(f"{args[0]} is not installed or not on PATH") from None
        try:
            stdout, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            remove(outputs)
            raise Timeout(f"{what} took longer than {timeout} s and was stopped") from None
        except BaseException:
            _kill_group(proc)
            remove(outputs)
            raise
        if proc.returncode != 0:
            remove(outputs)
            raise MasterError(_failure(what, proc.returncode, _last_line(errors), limits))
    missing = [path for path in outputs if not os.path.isfile(path) or os.path.getsize(path) == 0]
    if missing:
        remove(outputs)
        raise MasterError(f"{what} wrote no output for {os.path.basename(missing[0])}")
    return stdout or b""


def _memory_limit(megabytes: int):
    if not megabytes or megabytes <= 0:
        return None
    limit = int(megabytes) * 1024 * 1024

    def apply() -> None:  # runs in the child between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.communicate()


def remove(paths: Iterable[str]) -> None:
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def _last_line(errors) -> str:
    errors.seek(0, os.SEEK_END)
    size = errors.tell()
    errors.seek(max(0, size - 4096))
    lines = [line.strip() for line in errors.read().decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    return lines[-1][:300] if lines else ""


def _failure(what: str, code: int, line: str, limits: EngineLimits) -> str:
    if code < 0:
        reason = f"was killed by signal {-code}"
        if -code in (signal.SIGSEGV, signal.SIGABRT, signal.SIGKILL):
            reason += f" (memory limit {limits.ffmpeg_memory_mb} MB?)"
    else:
        reason = f"failed (exit {code})"
    return f"{what} {reason}" + (f": {line}" if line else "")
