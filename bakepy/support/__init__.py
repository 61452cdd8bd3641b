"""Small helpers every layer may use: lazy exports, JSON text, the cache folder, atomic writes."""
