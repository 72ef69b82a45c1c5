"""The server: a SPARQL endpoint, linked data and the site's pages over the embedded store."""
