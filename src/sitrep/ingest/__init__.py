"""Ingesting: `sources` reads files, folders, feeds, JSON Lines and URLs into raw documents; `documents` cleans
them into documents (main text, title, date, outlet, language) and finds exact and near copies."""
