"""Derive engines: one module per media kind, each a function from a MasterJob to files."""
