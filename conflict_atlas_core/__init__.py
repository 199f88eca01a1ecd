"""What every package of Conflict Atlas shares and nothing of it is below: the root error
(:mod:`.errors`) and the settings read from the environment (:mod:`.settings`).

It imports only the standard library, so that ``geodata`` (which imports nothing else of
the project), ``extract``, ``evaluation``, ``dashboard`` and the CLI can all import it
without cycles.
"""
