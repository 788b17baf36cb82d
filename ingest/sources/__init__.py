"""Sources: what the user typed, parsed once (:mod:`.parse`), then one module per kind.

Each kind module turns its typed Source into a Bundle: :mod:`.repo` (folders, git URLs, forge
URLs), :mod:`.page` (one HTML page), :mod:`.pdf`, :mod:`.site` (a whole docs site and its
llms.txt set), :mod:`.bundle` (many sources in one), :mod:`.libdocs` (a library's docs by name)
and :mod:`.actions` (docs and specs for click-to-curl). They fetch through :mod:`llmingest.fetch`
and convert through :mod:`llmingest.converters`; none of them renders.
"""
