"""Schema-constrained field extraction: the ``extract`` document stage.

``stage`` (the DocumentStage), ``backends`` (language-model runtimes behind one interface),
``model_files`` (locating and verifying weights), ``context`` (which text the model reads),
``extract`` (prompt, constrained generation, parsing), ``normalize`` (dates, amounts,
currencies), ``checks`` (grounding, rules, confidences), ``store`` (database writes),
``evaluate`` and ``cli`` (``docpipe eval extract``). See docs/extraction.md.
"""
