"""dam: a static-site digital asset management portal built from a Git-managed catalogue."""

__version__ = "0.1.0"
