"""The pure domain core: stdlib and numpy only; no files, database or web."""
