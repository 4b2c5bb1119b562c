"""The web face of corridor: a FastAPI application over :mod:`corridor.analysis`.

``corridor serve`` runs it; :func:`corridor.web.app.create_app` builds it for tests and
embedding. Needs the ``web`` extra (``pip install "corridor[web]"``).
"""
