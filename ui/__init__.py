"""What the pages share: the global filters and their URL, cached data calls, formats.

The only package besides ``views/`` that imports Streamlit. Figures come from
``data_access`` and ``metrics``; nothing here computes one.
"""
