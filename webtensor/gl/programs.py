"""``ProgramCache``: (kernel, defines) -> compiled program, compiled on first use."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import moderngl

from ..errors import ShaderCompileError
from .shaders import Source, build_source

# Mesa: "0:12(5): error: ...", NVIDIA: "0(12) : error C1008: ..."
_LOG_LINE = re.compile(r"^\s*\d+[:(](\d+)[)(]")

VERTEX_KERNEL = "_fullscreen_vertex"


@dataclass
class Program:
    """A compiled kernel: the moderngl program, its empty vertex array, and its uniforms."""

    name: str
    defines: tuple
    source: Source
    program: moderngl.Program
    vao: moderngl.VertexArray
    uniforms: dict = field(default_factory=dict)
    samplers: dict = field(default_factory=dict)
    compile_ms: float = 0.0


class ProgramCache:
    """Compiles each (kernel, defines) once; counts compiles and hits."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.ctx = ctx
        self._programs: dict[tuple, Program] = {}
        self._vertex = build_source(VERTEX_KERNEL).text
        self.compiles = 0
        self.hits = 0
        self.compile_ms = 0.0

    def __len__(self) -> int:
        return len(self._programs)

    def get(self, name: str, defines: tuple = ()) -> Program:
        """The program for kernel ``name`` with ``defines`` (a sorted tuple of pairs)."""
        key = (name, defines)
        prog = self._programs.get(key)
        if prog is not None:
            self.hits += 1
            return prog
        prog = self._compile(name, defines)
        self._programs[key] = prog
        return prog

    def _compile(self, name: str, defines: tuple) -> Program:
        source = build_source(name, dict(defines))
        _dump(name, defines, source)
        t0 = time.perf_counter()
        try:
            program = self.ctx.program(vertex_shader=self._vertex, fragment_shader=source.text)
        except moderngl.Error as exc:
            message = format_compile_error(name, defines, source, str(exc))
            raise ShaderCompileError(message) from None
        ms = (time.perf_counter() - t0) * 1000
        self.compiles += 1
        self.compile_ms += ms
        vao = self.ctx.vertex_array(program, [])
        uniforms, samplers = {}, {}
        unit = 0
        for key in program:
            member = program[key]
            if isinstance(member, moderngl.Uniform):
                if member.gl_type in _SAMPLER_TYPES:
                    member.value = unit
                    samplers[key] = unit
                    unit += 1
                else:
                    uniforms[key.split("[")[0]] = member
        return Program(name, defines, source, program, vao, uniforms, samplers, ms)

    def clear(self) -> None:
        """Release every program (e.g. when switching contexts)."""
        for prog in self._programs.values():
            prog.vao.release()
            prog.program.release()
        self._programs.clear()

    def programs(self) -> list[Program]:
        """The compiled programs, in compile order."""
        return list(self._programs.values())


_SAMPLER_TYPES = {0x8B5E, 0x8DCA, 0x8DD2}  # sampler2D, isampler2D, usampler2D


def format_compile_error(name: str, defines: tuple, source: Source, log: str) -> str:
    """Driver log, then each failing line with its neighbours and its ``.glsl`` origin."""
    lines = source.text.splitlines()
    bad = []
    for entry in log.splitlines():
        m = _LOG_LINE.match(entry)
        if m:
            bad.append(int(m.group(1)))
    parts = [f"kernel {name!r} failed to compile (defines: {dict(defines) or 'none'})"]
    parts.append("driver log:\n" + log.strip())
    for ln in sorted(set(bad)):
        f, orig = source.origin(ln)
        parts.append(f"at {f}:{orig} (final source line {ln}):")
        for i in range(max(1, ln - 2), min(len(lines), ln + 2) + 1):
            mark = ">>" if i == ln else "  "
            parts.append(f"{mark} {i:4d} | {lines[i - 1]}")
    if not bad:
        parts.append("source:\n" + source.numbered())
    return "\n".join(parts)


def _dump(name: str, defines: tuple, source: Source) -> None:
    folder = os.environ.get("WEBTENSOR_DUMP_DIR")
    if not folder:
        return
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    tag = "_".join(f"{k}-{v}" for k, v in defines) or "default"
    tag = re.sub(r"[^A-Za-z0-9_.-]", "", tag)[:120]
    (path / f"{name}__{tag}.frag.glsl").write_text(source.text)
