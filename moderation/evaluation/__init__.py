"""How good a model is on labelled comments: ``evaluate`` (metrics, calibration, the worst
errors, thresholds from labels, two models compared), ``promote`` (the active model changes only
on evidence) and ``report`` (plots and an HTML page)."""
