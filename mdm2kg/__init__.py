"""mdm2kg: a curated, cited knowledge graph of MDM2 biology and therapeutics.

The package is laid out along the flow (each layer imports only the layers before it):
curation -> rdf -> artifact -> read -> consumers (query, paths, render, export, sparql, server,
stats, diff, show) -> cli. This module stays import-free so every command starts fast.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
