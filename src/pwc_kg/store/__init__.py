"""The embedded store: generations on disk, built aside and published by an atomic swap."""

from .generations import BuildLocked, StoreDir, StoreMissing

__all__ = ["BuildLocked", "StoreDir", "StoreMissing"]
