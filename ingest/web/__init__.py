"""ingest.web: pages from the web, fetched safely (`fetch`) and read into articles
(`extract`). Import the modules themselves: `ingest.web.fetch` loads an HTTP client and
`ingest.web.extract` trafilatura, which only the commands that fetch should pay for."""
