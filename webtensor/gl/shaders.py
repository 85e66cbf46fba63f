"""Load ``.glsl`` kernels, expand ``#include`` ourselves, insert ``#define``s, keep a line map.

The final source of a kernel is the version line of ``glsl/_version.glsl``
(GLSL ES 3.00), then one ``#define`` per
define, then the kernel file with every include expanded in place. Each final
line remembers the file and line it came from, so a driver error on line 57
can be reported as ``glsl/exp.glsl:3``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')


def glsl_dir() -> Path:
    """The folder of the kernel sources: inside the installed package, else the repository's."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "glsl", here.parent / "glsl"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no glsl/ folder next to {here}")


def override_dir() -> Path | None:
    """``WEBTENSOR_OVERRIDE_DIR``: a file there replaces the packaged kernel of the same name."""
    value = os.environ.get("WEBTENSOR_OVERRIDE_DIR")
    return Path(value) if value else None


def kernel_path(name: str) -> Path:
    """Where the source of ``name`` (``exp`` or ``common.glsl``) is read from."""
    filename = name if name.endswith(".glsl") else f"{name}.glsl"
    over = override_dir()
    if over is not None and (over / filename).is_file():
        return over / filename
    return glsl_dir() / filename


def kernel_names() -> list[str]:
    """Every kernel file (includes excluded: files whose name starts with ``_``)."""
    return sorted(p.stem for p in glsl_dir().glob("*.glsl") if not p.name.startswith("_"))


@cache
def _read(path: str, mtime: float) -> list[str]:
    return Path(path).read_text().splitlines()


def _lines_of(path: Path) -> list[str]:
    return _read(str(path), path.stat().st_mtime)


@dataclass(frozen=True)
class Source:
    """A final shader source and, per line, the (file, line) it came from."""

    text: str
    line_map: tuple[tuple[str, int], ...]

    def origin(self, line: int) -> tuple[str, int]:
        """File and line of final line ``line`` (1-based)."""
        if 1 <= line <= len(self.line_map):
            return self.line_map[line - 1]
        return ("<generated>", line)

    def numbered(self, with_origin: bool = True) -> str:
        """The source with line numbers and, optionally, each line's origin."""
        lines = self.text.splitlines()
        width = len(str(len(lines)))
        out = []
        for i, text in enumerate(lines, 1):
            if with_origin:
                f, ln = self.origin(i)
                out.append(f"{i:>{width}} | {text:<72} // {f}:{ln}")
            else:
                out.append(f"{i:>{width}} | {text}")
        return "\n".join(out)


def _display_name(path: Path) -> str:
    over = override_dir()
    if over is not None and path.parent == over:
        return str(path)
    return f"glsl/{path.name}"


def build_source(name: str, defines: dict[str, object] | None = None) -> Source:
    """The exact source compiled for kernel ``name`` with ``defines``."""
    text: list[str] = [_lines_of(glsl_dir() / "_version.glsl")[0]]
    origin: list[tuple[str, int]] = [("glsl/_version.glsl", 1)]
    for key, value in sorted((defines or {}).items()):
        text.append(f"#define {key} {value}")
        origin.append(("<define>", len(origin) + 1))
    _expand(kernel_path(name), text, origin, stack=())
    return Source("\n".join(text) + "\n", tuple(origin))


def _expand(path: Path, text: list[str], origin: list[tuple[str, int]], stack: tuple) -> None:
    if path in stack:
        chain = " -> ".join(p.name for p in (*stack, path))
        raise ValueError(f"recursive #include: {chain}")
    if not path.is_file():
        raise FileNotFoundError(f"shader source not found: {path}")
    shown = _display_name(path)
    for number, line in enumerate(_lines_of(path), 1):
        m = _INCLUDE.match(line)
        if m:
            _expand(kernel_path(m.group(1)), text, origin, (*stack, path))
        elif line.strip().startswith("#version"):
            continue  # the version line is ours to emit, once
        else:
            text.append(line)
            origin.append((shown, number))
