"""The one moderngl context, its capabilities, and the full-screen triangle."""

from __future__ import annotations

import os
from dataclasses import dataclass

import moderngl
import numpy as np

from ..errors import GLContextError

_MESA_HINT = (
    "Install a GL driver with EGL, e.g. on Debian/Ubuntu: "
    "apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1"
)


@dataclass(frozen=True)
class Capabilities:
    """What the driver offers that matters to the engine."""

    renderer: str
    vendor: str
    version: str
    glsl_version: str
    version_code: int
    max_texture_size: int
    max_draw_buffers: int
    float_render_targets: bool
    timer_query: bool
    backend: str


def create_default_context() -> tuple[moderngl.Context, str]:
    """Create the headless context; ``WEBTENSOR_GL`` picks another glcontext backend."""
    backend = os.environ.get("WEBTENSOR_GL", "egl").strip() or "egl"
    kwargs = {} if backend == "default" else {"backend": backend}
    try:
        ctx = moderngl.create_context(standalone=True, require=330, **kwargs)
    except Exception as exc:  # glcontext raises plain Exceptions with the loader's message
        raise GLContextError(
            f"could not create a headless OpenGL context with backend {backend!r}: {exc}. "
            f"{_MESA_HINT}. Set WEBTENSOR_GL to choose another glcontext backend."
        ) from exc
    return ctx, backend


def probe(ctx: moderngl.Context, backend: str) -> Capabilities:
    """Query limits and check that float32 render targets really hold float32."""
    if ctx.version_code < 330:
        raise GLContextError(f"OpenGL >= 3.3 is required, the driver offers {ctx.version_code}")
    info = ctx.info
    float_ok = _float_targets_work(ctx)
    if not float_ok:
        raise GLContextError(
            "the driver cannot render to RGBA32F textures exactly (half floats or no float "
            f"render targets); webtensor needs float32. Renderer: {info.get('GL_RENDERER')}"
        )
    exts = ctx.extensions
    return Capabilities(
        renderer=str(info.get("GL_RENDERER", "?")),
        vendor=str(info.get("GL_VENDOR", "?")),
        version=str(info.get("GL_VERSION", "?")),
        glsl_version=str(info.get("GL_SHADING_LANGUAGE_VERSION")
                         or f"{ctx.version_code // 100}.{ctx.version_code % 100:02d}"),
        version_code=ctx.version_code,
        max_texture_size=int(info["GL_MAX_TEXTURE_SIZE"]),
        max_draw_buffers=int(info.get("GL_MAX_DRAW_BUFFERS", 8)),
        float_render_targets=float_ok,
        timer_query=ctx.version_code >= 330 or "GL_ARB_timer_query" in exts,
        backend=backend,
    )


def _float_targets_work(ctx: moderngl.Context) -> bool:
    """A value that half floats cannot hold must survive a clear and a read back."""
    try:
        tex = ctx.texture((1, 1), 4, dtype="f4")
        fbo = ctx.framebuffer(color_attachments=[tex])
        probe_value = (1.0 + 2.0**-20) * 1e10
        fbo.clear(probe_value, -probe_value, 3.0e38, 1.0)
        got = np.frombuffer(tex.read(), dtype=np.float32)
        fbo.release()
        tex.release()
    except Exception:
        return False
    want = np.array([probe_value, -probe_value, 3.0e38, 1.0], dtype=np.float32)
    return bool(np.array_equal(got, want))


def prepare_state(ctx: moderngl.Context) -> None:
    """Turn off the fixed-function state a user's context may have left on."""
    ctx.disable(moderngl.BLEND | moderngl.DEPTH_TEST | moderngl.CULL_FACE)
