-- HTTP validators of a fetched feed, so the next import of the same URL is a conditional request.
ALTER TABLE imports ADD COLUMN etag TEXT;
ALTER TABLE imports ADD COLUMN last_modified TEXT;
