"""Who may see what: roles from the access file, the pages of each role, the audit log.

No Streamlit here: ``ui.auth`` reads the signed-in user (Streamlit's OpenID Connect,
``st.user``) and asks this package for the user's grant; the grant's districts become the
ceiling of every query's ``Scope`` in ``data_access``.
"""
