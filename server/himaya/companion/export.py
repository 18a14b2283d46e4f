"""The hotline folder now lives in the core (shared with the hub); kept here for callers of the companion."""

from himaya.core.export import LABELS, export_files, render_page, write_folder, zip_files  # noqa: F401
