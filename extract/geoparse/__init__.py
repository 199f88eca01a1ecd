"""Geoparsing: finding place names in running text and resolving them in context.

Two stages, usable separately:

- **Finding** (:mod:`extract.geoparse.matcher`: :class:`~.matcher.PlaceMatcher`, the spaCy
  component ``conflict_atlas_places``, added to every pipeline by :mod:`.nlp`): gazetteer
  names (:mod:`.surface`) merged with the NER's places; persons' names told apart
  (:mod:`.persons`); villages only in the document's main countries, after a locative word
  (:mod:`.cues`).
- **Resolving** (:mod:`extract.geoparse.resolver`: :class:`~.resolver.ToponymResolver`):
  each mention's candidates from the geocoder, re-ranked with document context (cues, the
  country focus, spatial coherence (:mod:`.coherence`), containment, one sense per document),
  read by spelling in the focus countries, with :mod:`.fallbacks` for names no entry fits.
  The place dict says how a name was read (``match``: exact | translit | fuzzy,
  ``similarity``), where its point comes from (``point_source``) and its admin-2 unit
  (``admin2``, ``admin2_code``). Metonyms ("Washington n'a pas caché") are flagged so that no
  event is placed there.

What both stages hand on: :mod:`.model` (:class:`~.model.Mention`,
:class:`~.model.Resolution`). Modules depend on each other in this order, without cycles
(``tests/test_code_rules.py``): words, model -> cues -> surface -> persons -> matcher -> nlp;
model, words, cues, coherence, fallbacks -> resolver. Import from the modules; this package
imports nothing on its own.
"""
