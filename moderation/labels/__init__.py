"""Labels: id -> label files joined to exports (``files``), the append-only label store that
moderators' answers go into (``store``), and merging stores and turning the platform's
decisions into weak labels (``merge``)."""
