"""`moderation serve`: live scoring over HTTP, Perspective API's shape, decisions back as labels.

``perspective`` (request and response shapes), ``batch`` (``/v1/score``), ``live`` (the model
that follows promotions, the keys), ``metrics`` and ``app`` (the routes).
"""
