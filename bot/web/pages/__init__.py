"""One module per page of the staff web; each exports ``routes``."""
