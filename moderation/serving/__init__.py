"""`moderation serve`: live scoring over HTTP, Perspective API's shape, decisions back as labels.

``perspective`` (request and response shapes), ``batch`` (``/v1/score``), ``live`` (the model
that follows promotions, the keys), ``metrics`` and ``app`` (the routes). The review page
(``/review``, also `moderation review`): ``review_page`` (its routes, keys and sessions),
``review_item`` (a comment as shown) and ``static/`` (the page, its script and style, shipped
in the package); the queue it serves, with its leases, is ``labels.review.shared``.
"""
