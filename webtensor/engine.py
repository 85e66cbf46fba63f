"""The engine: owns the GL context, programs and textures, and draws kernels.

``Engine.draw`` is the only place a program runs. Storage is refcounted so a
reshape can share a texture; tensors dropped by Python are queued by their
finalizer and released here at the next engine call (never GL from ``__del__``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

import moderngl
import numpy as np

from .gl import context as glctx
from .gl.programs import Program, ProgramCache
from .gl.textures import TexturePool, download, texture_shape, upload


class Storage:
    """The values of one or more tensors: a texture, host values, or both."""

    __slots__ = ("texture", "host", "size", "refs")

    def __init__(self, size: int, texture: moderngl.Texture | None = None, host=None) -> None:
        self.size = size
        self.texture = texture
        self.host = host  # flat float32 values, the download cache or not yet uploaded
        self.refs = 1


class Engine:
    """Holds every piece of GL state of the process; created on first use."""

    def __init__(self) -> None:
        self._ctx: moderngl.Context | None = None
        self.caps: glctx.Capabilities | None = None
        self.programs: ProgramCache | None = None
        self.pool: TexturePool | None = None
        self.owns_context = True
        self.num_tensors = 0
        self.num_bytes = 0
        self.release_queue: list[Storage] = []
        self.debug = os.environ.get("WEBTENSOR_DEBUG", "") not in ("", "0", "false")
        self.listeners: list = []  # profilers: called with (program, inputs, out_size, ns)
        self.pool_threshold = int(float(os.environ.get("WEBTENSOR_POOL_MB", "256")) * (1 << 20))

    # -- context ------------------------------------------------------------
    @property
    def ctx(self) -> moderngl.Context:
        """The moderngl context (created on first use)."""
        if self._ctx is None:
            ctx, backend = glctx.create_default_context()
            self._adopt(ctx, backend, owns=True)
        return self._ctx

    def _adopt(self, ctx: moderngl.Context, backend: str, owns: bool) -> None:
        self.caps = glctx.probe(ctx, backend)
        glctx.prepare_state(ctx)
        self._ctx = ctx
        self.owns_context = owns
        self.programs = ProgramCache(ctx)
        self.pool = TexturePool(ctx, self.pool_threshold)

    def set_context(self, ctx: moderngl.Context) -> None:
        """Adopt a user's context; tensors of the previous context become unusable."""
        if ctx is self._ctx:
            return
        self.drain()  # tensors Python already dropped do not hold the old context
        if self._ctx is not None and self.num_tensors:
            raise RuntimeError(
                f"set_context: {self.num_tensors} tensors still live on the current context; "
                "dispose them first"
            )
        if self._ctx is not None:
            self.programs.clear()
            self.pool.empty()
        self._adopt(ctx, "user", owns=False)

    @property
    def max_texture_size(self) -> int:
        """The driver's MAX_TEXTURE_SIZE."""
        self.ctx  # noqa: B018 - creates the context
        return self.caps.max_texture_size

    # -- storage ------------------------------------------------------------
    def new_storage(self, size: int, host: np.ndarray | None) -> Storage:
        """Storage for ``size`` elements holding ``host`` values (uploaded lazily)."""
        if size:
            texture_shape(size, self.max_texture_size)  # refuse what cannot fit, now
        self.num_bytes += size * 4
        return Storage(size, None, host)

    def release(self, storage: Storage) -> None:
        """Drop one reference; the texture goes back to the pool at zero."""
        storage.refs -= 1
        if storage.refs == 0:
            self.num_bytes -= storage.size * 4
            if storage.texture is not None:
                self.pool.release(storage.texture)
                storage.texture = None
            storage.host = None

    def drain(self) -> None:
        """Release what finalizers queued for tensors Python dropped."""
        queue = self.release_queue
        while queue:
            storage = queue.pop()
            self.num_tensors -= 1
            self.release(storage)

    def texture_of(self, storage: Storage) -> moderngl.Texture:
        """The texture of ``storage``, uploading host values on first GPU use."""
        tex = storage.texture
        if tex is None:
            tex = self.pool.acquire(texture_shape(storage.size, self.caps.max_texture_size))
            upload(tex, storage.host)
            storage.texture = tex
        return tex

    def read(self, storage: Storage) -> np.ndarray:
        """Flat float32 values of ``storage`` (downloaded once, then cached)."""
        if storage.host is None:
            storage.host = download(storage.texture, storage.size)
        return storage.host

    # -- drawing ------------------------------------------------------------
    def program(self, shader: str, defines: tuple = ()) -> Program:
        """The compiled program of ``shader`` with ``defines`` (sorted pairs)."""
        self.ctx  # noqa: B018
        return self.programs.get(shader, defines)

    def draw(
        self,
        shader: str,
        inputs: Sequence[tuple[str, Storage]],
        out_size: int,
        uniforms: dict | None = None,
        defines: tuple = (),
        outputs: int = 1,
    ) -> list[Storage]:
        """Run ``shader`` once, writing ``outputs`` new storages of ``out_size`` elements.

        ``inputs`` pairs each sampler name with the storage it reads; a uniform
        ``<sampler>_wlog`` (log2 of that texture's width), when the shader
        declares it, is set automatically.
        """
        if self.release_queue:
            self.drain()
        if out_size == 0:
            return [self.new_storage(0, np.zeros(0, np.float32)) for _ in range(outputs)]
        prog = self.program(shader, defines)
        members = prog.uniforms
        for name, storage in inputs:
            tex = self.texture_of(storage)
            unit = prog.samplers.get(name)
            if unit is not None:
                tex.use(location=unit)
                wlog = members.get(name + "_wlog")
                if wlog is not None:
                    wlog.value = tex.size[0].bit_length() - 1
        if uniforms:
            for name, value in uniforms.items():
                member = members.get(name)
                if member is not None:
                    _set_uniform(member, value)
        shape = texture_shape(out_size, self.caps.max_texture_size)
        out_wlog = members.get("out_wlog")
        if out_wlog is not None:
            out_wlog.value = shape[0].bit_length() - 1
        texs = [self.pool.acquire(shape) for _ in range(outputs)]
        fbo = self.pool.framebuffer(*texs)
        fbo.use()
        if self.listeners:
            query = self.ctx.query(time=True)
            t0 = time.perf_counter()
            with query:
                prog.vao.render(moderngl.TRIANGLES, vertices=3)
            gpu_ns = query.elapsed
            wall_ns = int((time.perf_counter() - t0) * 1e9)
            for listener in self.listeners:
                listener(prog, inputs, out_size, gpu_ns, wall_ns)
        else:
            prog.vao.render(moderngl.TRIANGLES, vertices=3)
        out = []
        for tex in texs:
            st = Storage(out_size, tex)
            self.num_bytes += out_size * 4
            out.append(st)
        return out

    def empty_pool(self) -> None:
        """Really delete every pooled texture."""
        if self._ctx is not None:
            self.drain()
            self.pool.empty()


_INT_TYPES = {0x1404, 0x8B53, 0x8B54, 0x8B55}  # int, ivec2..4


def _set_uniform(member: moderngl.Uniform, value) -> None:
    if isinstance(value, (int, float, np.integer, np.floating)) and member.array_length == 1:
        if member.dimension == 1:
            member.value = value
            return
    dtype = np.int32 if member.gl_type in _INT_TYPES else np.float32
    arr = np.asarray(value, dtype=dtype).ravel()
    need = member.array_length * member.dimension
    if arr.size < need:
        arr = np.concatenate([arr, np.zeros(need - arr.size, dtype)])
    member.write(arr[:need].tobytes())


_ENGINE = Engine()


def engine() -> Engine:
    """The process-wide engine (``wt.engine().empty_pool()``, counters, context).

    Example:
        >>> import webtensor as wt
        >>> wt.engine().empty_pool()
    """
    return _ENGINE
