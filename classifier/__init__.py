"""Document classification: doc_type, urgency and department with calibrated probabilities.

Modules: taxonomy (labels, from taxonomy.toml), data (labelled-data format and the
published datasets' examples), synthetic (generated training documents), model (network,
model directory), train / calibration / metrics / baseline / evaluate, store (versions on
disk), stage (the pipeline's "classify" stage). ``docpipe train`` and ``docpipe eval
classify`` are in cli.classifier.
Only model, train, stage and evaluate import torch, and only when called.
"""
