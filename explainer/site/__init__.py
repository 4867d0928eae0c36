"""Content to files: the theme (Jinja sandbox, strings, static files), the page list,
rendering, JSON-LD, open data, the share card and the hosting files."""
