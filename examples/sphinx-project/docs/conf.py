# Sphinx configuration of a small project that publishes itself for agents.
# Build: sphinx-build -b html docs build/html   (then open build/html/llms.txt)

project = "Widgets"
author = "Widgets developers"
extensions = ["llmingest.site_plugin.sphinx"]

html_baseurl = "https://widgets.example.org/"  # where the site is published: links become absolute
llmingest_summary = "Widgets turns configuration files into running widget servers."
llmingest_optional = ["changelog"]  # docname globs or toctree captions listed under "## Optional"
llmingest_copy_button = True  # a "Copy page as Markdown" button and <link rel="alternate"> per page
