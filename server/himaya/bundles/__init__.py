"""Signed rule bundles: manifest, build and sign, fetch, and the update client."""
