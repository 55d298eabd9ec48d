"""The label lifecycle, from a moderator's answer to a training example.

Bottom up: the label record (``record``) and the SQLite label store every answer goes into
(``schema``, ``store``; ``opening`` says which store a path means and imports a store of an
earlier version once); label records as JSON lines for interchange (``lines``) and files of
comment id -> label joined to exports (``join``); labelled files of every kind read as training
examples (``examples``); stores merged and the platform's decisions made weak labels
(``merge``); and on top, the review queue and its answer loops (``review``).
"""
