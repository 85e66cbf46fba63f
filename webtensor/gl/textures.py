"""Dense RGBA32F layout, upload/download, and the texture pool.

Layout: element ``i`` of a tensor (row-major) lives in texel ``i // 4``,
channel ``i % 4``; texel ``t`` sits at ``(t & (w - 1), t >> log2(w))``. The
width is a power of two so that shaders map indices with shifts and masks
(integer division is scalarised, hence slow, on llvmpipe). The layout depends
only on the element count, so a reshape never moves data.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import moderngl
import numpy as np


def texture_shape(size: int, max_size: int) -> tuple[int, int]:
    """(width, height) of the texture holding ``size`` float elements, near square."""
    texels = max(1, -(-size // 4))
    width = 1 << max(0, math.ceil(math.log2(math.isqrt(texels - 1) + 1))) if texels > 1 else 1
    width = min(width, max_size)
    height = -(-texels // width)
    if height > max_size:
        limit = max_size * max_size * 4
        raise ValueError(
            f"a tensor of {size} elements does not fit in one texture: the driver's "
            f"MAX_TEXTURE_SIZE is {max_size}, so at most {limit} elements ({max_size}² texels × 4)"
        )
    return width, height


def texel_bytes(shape: tuple[int, int]) -> int:
    """Bytes of an RGBA32F texture of ``shape``."""
    return shape[0] * shape[1] * 16


class TexturePool:
    """Textures by (width, height); freed ones wait here to be reused.

    Counts live textures and bytes; past ``threshold_bytes`` the least recently
    freed pooled textures are really deleted.
    """

    def __init__(self, ctx: moderngl.Context, threshold_bytes: int = 256 << 20) -> None:
        self.ctx = ctx
        self.threshold_bytes = threshold_bytes
        self._free: OrderedDict[int, tuple[tuple[int, int], moderngl.Texture]] = OrderedDict()
        self._by_shape: dict[tuple[int, int], list[int]] = {}
        self._fbos: dict[tuple, moderngl.Framebuffer] = {}
        self.num_textures = 0
        self.bytes_total = 0
        self.bytes_in_pool = 0
        self.created = 0
        self.reused = 0

    def acquire(self, shape: tuple[int, int]) -> moderngl.Texture:
        """A texture of ``shape``: a pooled one if any, else a new one."""
        ids = self._by_shape.get(shape)
        if ids:
            glo = ids.pop()
            _, tex = self._free.pop(glo)
            self.bytes_in_pool -= texel_bytes(shape)
            self.reused += 1
            return tex
        tex = self.ctx.texture(shape, 4, dtype="f4")
        tex.filter = (moderngl.NEAREST, moderngl.NEAREST)
        tex.repeat_x = tex.repeat_y = False
        self.num_textures += 1
        self.bytes_total += texel_bytes(shape)
        self.created += 1
        return tex

    def release(self, tex: moderngl.Texture) -> None:
        """Give ``tex`` back to the pool (deleting old pooled ones past the threshold)."""
        shape = tex.size
        self._free[tex.glo] = (shape, tex)
        self._by_shape.setdefault(shape, []).append(tex.glo)
        self.bytes_in_pool += texel_bytes(shape)
        while self.bytes_in_pool > self.threshold_bytes and self._free:
            self._delete_oldest()

    def _delete_oldest(self) -> None:
        glo, (shape, tex) = self._free.popitem(last=False)
        self._by_shape[shape].remove(glo)
        self.bytes_in_pool -= texel_bytes(shape)
        self._delete(tex)

    def _delete(self, tex: moderngl.Texture) -> None:
        for key in [k for k in self._fbos if tex.glo in k]:
            self._fbos.pop(key).release()
        self.num_textures -= 1
        self.bytes_total -= texel_bytes(tex.size)
        tex.release()

    def empty(self) -> None:
        """Really delete every pooled texture."""
        while self._free:
            self._delete_oldest()

    def framebuffer(self, *texs: moderngl.Texture) -> moderngl.Framebuffer:
        """The framebuffer rendering into ``texs`` (made once per set of textures)."""
        key = tuple(t.glo for t in texs)
        fbo = self._fbos.get(key)
        if fbo is None:
            fbo = self.ctx.framebuffer(color_attachments=list(texs))
            self._fbos[key] = fbo
        return fbo


def upload(tex: moderngl.Texture, flat: np.ndarray) -> None:
    """Write float32 values (row-major) into ``tex``, padding the last texels."""
    w, h = tex.size
    n = w * h * 4
    if flat.size == n:
        tex.write(np.ascontiguousarray(flat, dtype=np.float32))
        return
    buf = np.zeros(n, dtype=np.float32)
    buf[: flat.size] = flat
    tex.write(buf)


def download(tex: moderngl.Texture, size: int) -> np.ndarray:
    """The first ``size`` float32 values held by ``tex``."""
    w, h = tex.size
    rows = -(-size // (4 * w))
    if rows < h:
        data = tex.read(viewport=(0, 0, w, rows))
    else:
        data = tex.read()
    return np.frombuffer(data, dtype=np.float32, count=size).copy()
