"""Stories: articles grouped by the event they report, across outlets and days, with the
facts their outlets share and the details they differ on, each cited."""
