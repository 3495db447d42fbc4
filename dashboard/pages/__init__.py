"""Dashboard pages, one module per page (Dash pages, ``use_pages=True``).

Each page module

- calls ``dash.register_page(__name__, path=..., title=..., order=...)`` at import;
- defines ``layout(**query) -> Component``: an empty shell (no region data: Dash serves
  layouts before any role check) that first checks the role with
  :func:`dashboard.roles.allowed` and returns :func:`dashboard.components.access_denied`
  for users below it; query parameters preset the controls (shareable URLs);
- defines ``register_callbacks(app: dash.Dash) -> None`` which attaches its callbacks with
  ``@app.callback`` (never the global ``dash.callback``: callbacks belong to the app that
  :func:`dashboard.app.create_app` builds), each decorated with
  ``@requires_role(<page role>)`` under the ``@app.callback`` line;
- takes component ids from :mod:`dashboard.ids`, builds figures with
  :mod:`dashboard.figures`, makes graphs with :func:`dashboard.components.graph`, and
  passes every count through :func:`geotraf.privacy.suppress` before it leaves the server.
"""
