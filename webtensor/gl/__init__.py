"""The OpenGL layer: context, shader sources, programs and textures.

Nothing here imports from the rest of the package except ``webtensor.errors``.
"""
