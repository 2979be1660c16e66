"""Importers at the edge: activity files and archives in, Activity objects out."""
