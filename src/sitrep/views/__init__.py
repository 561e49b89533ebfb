"""Views: what people see and call: the CLI, the HTTP API, the web map, the situation report and the exports.
Views only parse input, call the pipeline or the store, and format output."""
