"""Public labelled datasets: where each lives upstream (``registry``), downloading and checking
copies (``fetch``), turning each into labelled examples (``convert``), and the named mixes
models are trained on (``recipes``)."""
