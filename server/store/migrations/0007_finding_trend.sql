-- natscope schema version 7: finding trends (docs/server.md, "Trend").
--
--  * site_finding_trend keeps, beside each hourly site_trend point, how
--    many of the site's agents carried each finding code (the analysed
--    summary's finding_counts); codes no agent carried have no row. The
--    rows belong to their trend point: written with it (the latest
--    analysis of the hour wins, findings included) and deleted with it
--    (retention of site_trend cascades). Points stored before this
--    version have none.

CREATE TABLE site_finding_trend (
  site   text COLLATE "C" NOT NULL,
  bucket timestamptz NOT NULL,   -- start of the hour, as site_trend
  code   smallint NOT NULL,      -- natscope.v1.FindingCode
  agents integer NOT NULL,
  PRIMARY KEY (site, bucket, code),
  FOREIGN KEY (site, bucket) REFERENCES site_trend (site, bucket)
    ON DELETE CASCADE
);
CREATE INDEX site_finding_trend_bucket ON site_finding_trend (bucket);
