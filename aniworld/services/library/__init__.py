"""The library as the database knows it: scan results, folder matching, missing episodes.

Pure file-system and title logic lives in :mod:`aniworld.library`; this package adds the
database and the site client around it.
"""
