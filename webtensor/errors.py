"""Typed errors of the public contract."""


class WebtensorError(Exception):
    """Base class of webtensor's own errors."""


class DisposedTensorError(RuntimeError, WebtensorError):
    """A tensor was used after ``dispose()`` or after its ``tidy`` scope ended."""


class ShaderCompileError(RuntimeError, WebtensorError):
    """A kernel failed to compile; the message holds the driver log and the source lines."""


class GLContextError(RuntimeError, WebtensorError):
    """No usable OpenGL context (driver, EGL or float render targets missing)."""
