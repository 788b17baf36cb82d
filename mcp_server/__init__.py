"""The MCP server (FastMCP) and the URL-swap web service: thin edges over llmingest.ingest()."""
