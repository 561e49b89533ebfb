"""Sitrep: conflict news to sourced, geolocated events."""
