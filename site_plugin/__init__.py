"""Site-generator plugins (MkDocs, Sphinx) that write llms.txt, llms-full.txt and .md mirrors."""
