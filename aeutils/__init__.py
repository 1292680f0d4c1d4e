"""aeutils: the code shared by the chapters of *Autoencoders, the book*."""

__version__ = "0.3.0"
