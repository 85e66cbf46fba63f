"""``wt.info()`` and ``wt.set_context()``: what GL the engine runs on."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .engine import engine


@dataclass(frozen=True)
class Info:
    """The GL driver and the engine's cache statistics."""

    renderer: str
    vendor: str
    gl_version: str
    glsl_version: str
    max_texture_size: int
    max_draw_buffers: int
    float_render_targets: bool
    backend: str
    programs_compiled: int
    program_cache_hits: int
    extensions: tuple

    def as_dict(self) -> dict:
        """The fields as a plain dict (for JSON)."""
        return asdict(self)


_EXTENSIONS_THAT_MATTER = ("GL_ARB_timer_query", "GL_EXT_color_buffer_float",
                           "GL_ARB_color_buffer_float", "GL_ARB_texture_float",
                           "GL_KHR_parallel_shader_compile", "GL_ARB_ES3_compatibility")


def info() -> Info:
    """Renderer, GL version, max texture size and the extensions that matter.

    Example:
        >>> import webtensor as wt
        >>> wt.info().max_texture_size >= 4096
        True
    """
    eng = engine()
    ctx = eng.ctx
    caps = eng.caps
    exts = tuple(e for e in _EXTENSIONS_THAT_MATTER if e in ctx.extensions)
    return Info(caps.renderer, caps.vendor, caps.version, caps.glsl_version,
                caps.max_texture_size, caps.max_draw_buffers, caps.float_render_targets,
                caps.backend, eng.programs.compiles, eng.programs.hits, exts)


def set_context(ctx) -> None:
    """Adopt a user's moderngl context (e.g. one that also draws a window).

    Refused while tensors live on another context; adopting the current one is a no-op.

    Example:
        >>> import webtensor as wt
        >>> ctx = wt.engine().ctx  # in practice: the moderngl context your window draws with
        >>> wt.set_context(ctx); wt.engine().ctx is ctx
        True
    """
    engine().set_context(ctx)
