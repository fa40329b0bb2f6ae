"""The text world (``world.kind = "text"``): the same ecosystem on real English.

An item is a document of ``world.doc_tokens`` tokens, kept in the web's fixed-width
token matrix. Modules:

* ``language``: human language, offline: the English bigram chain of the counts that
  ``symspellpy`` ships (MIT), or any plain-text file (``world.corpus``);
* ``culture``: :class:`TextCulture`, human culture of the text world (documents, their topic
  ideas, their vectors, the held-out text);
* ``ngram``: :class:`NGramLearner`, AI models as interpolated Kneser-Ney n-gram models;
* ``metrics``: the text columns (``model_perplexity``, ``vocabulary_coverage``, ``distinct_2_recent``);
* ``samples``: what the models wrote, read from a run (the tools write it as ``samples.md`` and figures).
"""
