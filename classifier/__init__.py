"""Document classification: doc_type, urgency and department with calibrated probabilities.

Modules: taxonomy (labels, from taxonomy.toml), data (labelled-data format and dataset
adapters), synthetic (generated training documents), model (network, model directory),
train / calibration / metrics / baseline / evaluate, store (versions on disk), stage
(the pipeline's "classify" stage), cli (``docpipe train``, ``docpipe eval classify``).
Only model, train, stage and evaluate import torch, and only when called.
"""
