"""Source adapters: bytes in, plain ``Listing`` records and ``Problem``s out.

Importers never touch the store; only ``importers.fetch`` speaks HTTP.
"""
