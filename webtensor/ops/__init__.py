"""Public ops, one module per family; importing a module registers its kernels."""
