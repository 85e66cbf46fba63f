"""One name normaliser for every string identifier (activations, initializers, losses, ...).

``'glorot_normal'``, ``'glorotNormal'`` and ``'GlorotNormal'`` all name the same thing:
a name is compared after dropping underscores and case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def name_key(name: str) -> str:
    """The comparison key of an identifier: no underscores or hyphens, lower case.

    Example:
        >>> from webtensor.identifiers import name_key
        >>> name_key("GlorotNormal") == name_key("glorot_normal") == name_key("glorotNormal")
        True
    """
    return name.replace("_", "").replace("-", "").lower()


def to_snake_case(name: str) -> str:
    """Keras's snake_case of a class or camelCase name (``MaxPooling2D`` -> ``max_pooling2d``).

    Example:
        >>> from webtensor.identifiers import to_snake_case
        >>> to_snake_case("Conv2DTranspose"), to_snake_case("categoricalCrossentropy")
        ('conv2d_transpose', 'categorical_crossentropy')
    """
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def resolve(kind: str, name: str, table: dict, aliases: dict | None = None):
    """Look ``name`` up in ``table`` (keys snake_case) in any of the accepted spellings.

    Args:
        kind: what is looked up, for the error message ('activation', 'loss', ...).
        name: the identifier as the user wrote it.
        table: canonical snake_case name -> value.
        aliases: extra spellings -> canonical name.

    Raises:
        ValueError: unknown name; the message lists the valid names.

    Example:
        >>> from webtensor.identifiers import resolve
        >>> resolve("activation", "ReLU", {"relu": 1})
        1
    """
    return table[canonical_name(kind, name, table, aliases)]


def valid_names(table: Iterable[str], aliases: dict | None = None) -> str:
    """A sorted, comma-separated list of the valid names (for error messages)."""
    return ", ".join(sorted(set(table) | set(aliases or {})))


def canonical_name(kind: str, name: str, table: dict, aliases: dict | None = None) -> str:
    """The canonical (snake_case) key in ``table`` that ``name`` spells.

    Example:
        >>> from webtensor.identifiers import canonical_name
        >>> canonical_name("loss", "meanSquaredError", {"mean_squared_error": 0})
        'mean_squared_error'
    """
    if not isinstance(name, str):
        raise ValueError(f"Unknown {kind} {name!r}: expected a name (str)")
    index = {name_key(k): k for k in table}
    for alias, canonical in (aliases or {}).items():
        index.setdefault(name_key(alias), canonical)
    canonical = index.get(name_key(name))
    if canonical is None:
        raise ValueError(f"Unknown {kind} {name!r}; valid names: {valid_names(table, aliases)}")
    return canonical
