"""hello-layers: a tiny CLI used to exercise src-layout packaging."""

__version__ = "0.1.0"
