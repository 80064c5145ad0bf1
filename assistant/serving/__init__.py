"""What the REST API (assistant/api) and the web page (assistant/web) share to serve one
Newsdesk: the prepared application (`runtime`), error bodies (`errors`), request limits
(`limits`), signed web sessions (`login`) and an answer's text as it goes out (`answer_text`:
safe Markdown with footnotes, word-sized deltas). Neither interface imports the other."""
