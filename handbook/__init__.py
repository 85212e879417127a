"""Handbook: the organisation tree, member records and cell life of a large membership organisation."""
