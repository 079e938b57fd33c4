"""The Sonarr/Prowlarr bridge: Aniworld as a Torznab indexer and a qBittorrent-like client.

- ``releases``: a release (episode + language), its title, info hash and magnet link;
- ``titles``: which series a query's text names, read as Sonarr writes it;
- ``catalogue``: Torznab searches answered from the stored catalogue;
- ``feed``: the Torznab XML (caps, results, errors);
- ``categories``: the download categories and their save paths (one JSON setting);
- ``grabs``: Sonarr's grabs as queue items that download into a save path;
- ``torrents``: a grab as qBittorrent's ``torrents/info``, ``properties`` and ``files``;
- ``sessions``: the ``SID`` login sessions (Redis).

The web side is ``web/torznab.py``, ``web/qbittorrent.py`` and the settings section in
``web/bridge.py``; the download itself is the normal queue job (``tasks/download/runner``).
"""
