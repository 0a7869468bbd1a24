"""Artifact scanner: safe walk and unpack, file-type identification, detectors -> findings."""
