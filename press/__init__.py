"""Press-ready figures: captions, file names and the files themselves (PNG, SVG, CSV, XLSX).

No Streamlit here: the pages (``ui.exports``, the Press kit) and the command line
(``ehospital-dashboard export``) make the same files through these functions.
"""
