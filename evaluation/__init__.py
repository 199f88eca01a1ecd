"""The evaluation of Conflict Atlas, apart from the product it measures.

- :mod:`evaluation.geoparse`: toponym resolution and end-to-end geoparsing on the public
  corpora (``conflict-atlas eval geoparse``), over :mod:`evaluation.corpora` (GeoWebNews,
  LGL/TR-News, GeoVirus/WikToR readers) and :mod:`evaluation.adapters` (the harness's
  protocols over :mod:`extract.geoparse`, and the corpora's conventions, such as counting
  country adjectives as toponyms, which the product does not follow).
- :mod:`evaluation.events`: events against gold files (``conflict-atlas eval events``);
  :mod:`evaluation.reports`: coded reports (ACLED exports, UCDP GED) with fixed dev/test
  splits by row id.
- :mod:`evaluation.splits`: the committed document-id splits of the corpora
  (``evaluation/data/splits/``): develop on dev, report test.

It imports the product (``extract``, ``geodata``); the product never imports it.
"""
