widgets serve --config widgets.toml --port 8080
