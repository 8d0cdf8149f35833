"""The REST API of the RAID log: risks, issues, decisions and board meetings."""
