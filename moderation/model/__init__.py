"""The model: features and classifier (``pipeline``), training (``train``), retraining on a
site's labels (``retrain``, ``prior``), the fitted model as arrays (``scorer``), flag
thresholds (``thresholds``), the figures it is judged by (``metrics``), its description
(``meta``) and card (``card``), saving and loading a model directory (``store``), and which
model is in use (``registry``)."""
